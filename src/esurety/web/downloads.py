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


# 文字コード choices of a CSV download: UTF-8 (with BOM: Excel reads it as UTF-8) or Shift_JIS
# (cp932), which older Excel and many banks' and core systems' tools still expect.
CSV_ENCODINGS = {"utf-8": "UTF-8（BOM付き）", "cp932": "Shift_JIS（CP932）"}


def csv_encoding(value: str | None) -> str:
    """The ?encoding= of a download, anything unknown read as UTF-8."""
    return value if value in CSV_ENCODINGS else "utf-8"


def csv_response(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    filename: str,
    fallback: str,
    encoding: str = "utf-8",
) -> StreamingHttpResponse:
    """A streamed CSV that Excel opens correctly: UTF-8 with BOM (or cp932), CRLF lines, formulas neutralised.

    Rows are produced as the client reads, so 20,000 rows never sit in memory at once. In cp932 a
    character it lacks (an emoji, a rare kanji variant) becomes 「?」 rather than failing the download
    halfway through.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    cp932 = encoding == "cp932"

    def encode(text: str) -> bytes:
        return text.encode("cp932", errors="replace") if cp932 else text.encode("utf-8")

    def lines() -> Iterator[bytes]:
        yield encode(("" if cp932 else "\ufeff") + writer.writerow(header))
        for row in rows:
            yield encode(writer.writerow([csv_cell(v) for v in row]))

    charset = "shift_jis" if cp932 else "utf-8"
    response = StreamingHttpResponse(lines(), content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response
