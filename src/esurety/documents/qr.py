"""QR codes printed on documents: they point at the public 書類の真正性確認 page.

Everything specific to the document (number, key, version) goes in the URL
*fragment*: a browser never sends the fragment to the server, so an access
key scanned from a notice is not written to any access log or proxy on the way.
The check page's script (check/static/check/check.js) reads it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings

CHECK_PATH = "/check/"
# M (15% recovery) survives a smudged or folded printout and keeps the
# code small enough (version 4-5) for a phone camera at arm's length.
ERROR_LEVEL = "m"
# Pixels per module in the embedded PNG: the CSS sets the printed size, and
# image-rendering keeps the modules sharp however large it is drawn.
MODULE_PIXELS = 4
QUIET_ZONE = 4
# A fixed mask pattern: scoring all eight (segno's default) takes ~5 ms in pure
# Python, a noticeable share of a key notice's rendering budget. Every mask gives
# a valid code (readers learn it from the format bits); the scoring only prefers
# the one with the fewest large blocks and finder-like runs.
MASK = 0


def check_page_url() -> str:
    """The address printed under the code, for readers without a camera."""
    return f"{settings.SITE_URL}{CHECK_PATH}"


def check_url(*, number: str, key: str | None = None, version: int | None = None) -> str:
    """<SITE_URL>/check/#n=<number>&k=<key> (a key notice) or ...#n=<number>&v=<version> (a copy)."""
    params: list[tuple[str, str]] = [("n", number)]
    if key is not None:
        params.append(("k", key))
    if version is not None:
        params.append(("v", str(version)))
    return f"{check_page_url()}#{urlencode(params)}"


def qr_code(url: str) -> segno.QRCode:
    """Always the same settings, so the tests can rebuild the exact code a document carries."""
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False, mask=MASK)


def qr_png_data_uri(url: str) -> str:
    """A data: URI WeasyPrint embeds as an image (no file, no network)."""
    uri: str = qr_code(url).png_data_uri(scale=MODULE_PIXELS, border=QUIET_ZONE)
    return uri
