"""/favicon.ico, which browsers fetch for every page, PDF and JSON answer, is the site's icon, not a 404."""

from __future__ import annotations

import io
import re

from django.test import Client
from PIL import Image


def test_favicon_ico_is_served_at_the_root(db: None) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= icon.info["sizes"]


def test_pages_link_the_icons_and_the_svg_is_served(db: None) -> None:
    page = Client().get("/login/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
    match = re.search(r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', page)
    assert match, page[:800]
    svg = Client().get(match.group(1))
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)  # type: ignore[attr-defined]
