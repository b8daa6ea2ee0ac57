"""File responses with Japanese file names that every browser saves correctly."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse


def content_disposition(filename: str, *, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII `filename` for old clients and the real name in `filename*`."""
    safe_fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{safe_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(data: bytes, *, filename: str, fallback: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response


# A cell starting with one of these is run as a formula by Excel (CSV injection):
# a 工事名 or company name typed as "=HYPERLINK(…)" must arrive as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, filename: str, fallback: str
) -> StreamingHttpResponse:
    """A streamed CSV that Excel opens correctly: UTF-8 with BOM, CRLF lines, formulas neutralised.

    Rows are produced as the client reads, so 20,000 rows never sit in memory at once.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")

    def lines() -> Iterator[bytes]:
        yield ("\ufeff" + writer.writerow(header)).encode("utf-8")
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row]).encode("utf-8")

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response
