"""QR codes on the key notice and the certificate copy: they lead to /check/, details only in the fragment."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from PIL import Image

from esurety.documents import pdf, qr
from esurety.guarantees.models import Guarantee
from tests import factories

KEY = "C7QK9MXT4A"


@pytest.fixture(autouse=True)
def _site_url(settings: object) -> None:
    settings.SITE_URL = "https://esurety.example.jp"  # type: ignore[attr-defined]


@pytest.fixture
def guarantee(world: factories.World) -> Guarantee:
    return factories.make_guarantee(world)


def test_key_notice_url_carries_number_and_key_only_in_the_fragment(settings: object) -> None:
    url = qr.check_url(number="2070000001", key=KEY)
    parts = urlsplit(url)
    # Everything a server or proxy log would see: no number, no key.
    assert (parts.scheme, parts.netloc, parts.path, parts.query) == ("https", "esurety.example.jp", "/check/", "")
    assert "2070000001" not in url.split("#", 1)[0] and KEY not in url.split("#", 1)[0]
    assert parse_qs(parts.fragment) == {"n": ["2070000001"], "k": [KEY]}


def test_copy_url_carries_number_and_version_in_the_fragment() -> None:
    parts = urlsplit(qr.check_url(number="2070000001", version=2))
    assert parts.path == "/check/" and parts.query == ""
    assert parse_qs(parts.fragment) == {"n": ["2070000001"], "v": ["2"]}


def _pdf_qr_modules(data: bytes, tmp_path: Path) -> list[list[int]]:
    """The one image in the PDF, read back module by module (1 = dark), quiet zone removed."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    listing = subprocess.run(["pdfimages", "-list", source], check=True, capture_output=True, text=True).stdout
    assert len(listing.strip().splitlines()) == 3, listing  # two header lines, one image
    subprocess.run(["pdfimages", "-png", source, tmp_path / "img"], check=True)
    image = Image.open(tmp_path / "img-000.png").convert("L")
    step = qr.MODULE_PIXELS
    modules = image.width // step
    assert image.width == image.height == modules * step
    border = qr.QUIET_ZONE
    return [
        [
            1 if image.getpixel((x * step + step // 2, y * step + step // 2)) < 128 else 0
            for x in range(border, modules - border)
        ]  # type: ignore[operator]
        for y in range(border, modules - border)
    ]


def _expected_modules(url: str) -> list[list[int]]:
    return [[int(bool(v)) for v in row] for row in qr.qr_code(url).matrix]


def test_key_notice_prints_the_qr_code_of_its_check_url(guarantee: Guarantee, tmp_path: Path) -> None:
    data = pdf.key_notice_pdf(guarantee=guarantee, key=KEY, issued_at=timezone.now())
    url = qr.check_url(number=guarantee.number, key=KEY)
    assert _pdf_qr_modules(data, tmp_path) == _expected_modules(url)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, check=True, capture_output=True).stdout.decode()
    assert "書類の真正性確認" in text and "https://esurety.example.jp/check/" in text


def test_certificate_copy_prints_the_qr_code_of_its_version(
    world: factories.World, guarantee: Guarantee, tmp_path: Path
) -> None:
    data = pdf.certificate_copy_pdf(certificate=guarantee.certificates.get(version=1))
    url = qr.check_url(number=guarantee.number, version=1)
    assert _pdf_qr_modules(data, tmp_path) == _expected_modules(url)
    # The code of another version would differ: the comparison above is not vacuous.
    assert _expected_modules(url) != _expected_modules(qr.check_url(number=guarantee.number, version=2))
