"""?version=N on the certificate pages of every portal (the domain takes the number, not the request)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from esurety.core.normalize import parse_ascii_int
from esurety.guarantees.presentation import VERSION_NOT_FOUND


def requested_version(request: HttpRequest) -> int | None:
    """?version=N, or None for the current version; anything else is a 404."""
    raw = request.GET.get("version")
    if raw is None or raw == "":
        return None
    # Not isdigit() + int(): 「²」 is a digit to isdigit() and a ValueError to int().
    version = parse_ascii_int(raw, max_digits=9)
    if version is None:
        raise Http404(VERSION_NOT_FOUND)
    return version
