"""An upload handler that keeps at most a few megabytes of one file, whatever is sent.

Django's default handlers spool any size to a temporary file; on a public,
anonymous page that lets anyone fill the disk. This one keeps the first
``limit + 1`` bytes of the first file of the expected field in memory, drops
everything else, and reports the file's real size, so the form can answer
"too large" in Japanese instead of the server failing. (A reverse proxy in
front should still cap the request body; reading and discarding is cheap but
not free.)
"""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest


class CappedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, *, field_name: str, limit: int) -> None:
        super().__init__(request)
        self.wanted_field = field_name
        self.limit = limit
        self.keeping = False
        self.taken = False
        self.buffer = BytesIO()
        self.size = 0

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        # Only the first file of the form's field: a request full of file parts
        # must not hold one buffer each.
        self.keeping = field_name == self.wanted_field and not self.taken
        self.taken = self.taken or self.keeping
        self.size = 0
        if self.keeping:
            self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        room = self.limit + 1 - self.buffer.tell()
        if self.keeping and room > 0:
            self.buffer.write(raw_data[:room])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.keeping:
            return None
        self.keeping = False
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=self.size,  # the size sent, not the bytes kept
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
