"""File responses with Japanese file names that every browser saves correctly."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def content_disposition(filename: str, *, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII `filename` for old clients and the real name in `filename*`."""
    safe_fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{safe_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(data: bytes, *, filename: str, fallback: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    return response
