"""The check page's upload handler: whatever is sent, at most limit + 1 bytes of one file are kept."""

from __future__ import annotations

from django.test import RequestFactory

from esurety.check.uploads import CappedUploadHandler


def _send(handler: CappedUploadHandler, field: str, chunks: list[bytes]) -> object:
    handler.new_file(field, "a.pdf", "application/pdf", None)
    start = 0
    for chunk in chunks:
        assert handler.receive_data_chunk(chunk, start) is None  # nothing reaches another handler
        start += len(chunk)
    return handler.file_complete(start)


def test_keeps_limit_plus_one_bytes_and_reports_the_real_size() -> None:
    handler = CappedUploadHandler(RequestFactory().post("/check/"), field_name="document", limit=10)
    upload = _send(handler, "document", [b"%PDF-12345", b"67890", b"x" * 1000])
    assert upload is not None
    assert upload.size == 1015  # type: ignore[attr-defined]
    assert upload.read() == b"%PDF-123456"  # type: ignore[attr-defined]


def test_only_the_first_file_of_the_expected_field_is_kept() -> None:
    handler = CappedUploadHandler(RequestFactory().post("/check/"), field_name="document", limit=10)
    assert _send(handler, "other", [b"%PDF-1"]) is None
    first = _send(handler, "document", [b"%PDF-1"])
    assert first is not None and first.read() == b"%PDF-1"  # type: ignore[attr-defined]
    assert _send(handler, "document", [b"%PDF-2"]) is None
