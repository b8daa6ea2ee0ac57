"""pdf_signature_check on files made to cost the public check page time: each upload is bounded."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import pytest
from django.utils import timezone
from pyhanko.sign.validation import pdf_embedded

from esurety.documents import pdf
from esurety.signing import validation
from tests import factories


@pytest.fixture
def signed(world: factories.World) -> bytes:
    return pdf.key_notice_pdf(guarantee=factories.make_guarantee(world), key="C7QK9MXT4A", issued_at=timezone.now())


def _pdf_with_signature(signature_dictionary: bytes, *, padding: int) -> bytes:
    """A one-page PDF whose signature field holds the given dictionary, after ``padding`` bytes of comment."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Annots [4 0 R] >>",
        b"<< /FT /Sig /T (Signature1) /V 5 0 R /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>",
        signature_dictionary,
    ]
    out = b"%PDF-1.7\n%" + b"A" * padding + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_byte_range_of_many_pairs_is_broken_and_nothing_is_hashed(
    signed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each "0 5000000" pair would make pyHanko hash the whole file once more.
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert contents is not None
    hostile = _pdf_with_signature(
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ["
        + b"0 5000000 " * 1000
        + b"] /Contents <"
        + contents.group(1)
        + b"> >>",
        padding=1_000_000,
    )
    hashed: list[Any] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        hashed.append(kwargs.get("byte_range"))
        raise AssertionError("the byte range was digested")

    monkeypatch.setattr(pdf_embedded, "byte_range_digest", spy)

    report = validation.pdf_signature_check(hostile)

    assert report.signed and not report.valid
    assert report.problem == validation.PROBLEM_BROKEN
    assert hashed == []


@pytest.mark.parametrize("byte_range", [b"[0 10 20 99999999]", b"[5 10 20 30]", b"[0 40 20 30]", b"[0 -1 2 3]"])
def test_a_byte_range_outside_the_file_or_out_of_order_is_broken(signed: bytes, byte_range: bytes) -> None:
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert contents is not None
    hostile = _pdf_with_signature(
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange "
        + byte_range
        + b" /Contents <"
        + contents.group(1)
        + b"> >>",
        padding=0,
    )
    report = validation.pdf_signature_check(hostile)
    assert report.signed and not report.valid and report.problem == validation.PROBLEM_BROKEN


def test_many_appended_revisions_are_reported_without_comparing_them(
    signed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pyHanko's comparison of revisions takes time quadratic in their number (2,000: ~10 s);
    # the page only needs to know that something was appended.
    size = re.findall(rb"/Size (\d+)", signed)
    root = re.search(rb"/Root (\d+ \d+ R)", signed)
    assert size and root
    previous = int(re.findall(rb"startxref\s+(\d+)", signed)[-1])
    data = bytearray(signed)
    number = int(size[-1])
    for i in range(300):
        offset = len(data)
        data += b"%d 0 obj\n<< /X %d >>\nendobj\n" % (number, i)
        xref = len(data)
        data += b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            number,
            offset,
            number + 1,
            root.group(1),
            previous,
            xref,
        )
        previous, number = xref, number + 1
    compared: list[int] = []

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append(1)
        raise AssertionError("revisions were compared")

    monkeypatch.setattr(pdf_embedded.EmbeddedPdfSignature, "evaluate_modifications", spy)

    report = validation.pdf_signature_check(bytes(data))

    assert report.signed and not report.valid
    assert report.problem == validation.PROBLEM_APPENDED
    assert compared == []


def test_a_cross_reference_stream_that_inflates_to_millions_of_entries_is_not_read() -> None:
    # ~10 kB that inflate to 8 MiB: 1.2 million entries (with pyHanko's default limits, 50 MiB
    # of them took half a minute and over a gigabyte of memory).
    entries = 8 * 1024 * 1024 // 7
    out = b"%PDF-1.7\n"
    catalog = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 3 0 R >>\nendobj\n"
    pages = len(out)
    out += b"3 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(out)
    head = b"".join(struct.pack(">BIH", *e) for e in [(0, 0, 65535), (1, catalog, 0), (1, xref, 0), (1, pages, 0)])
    deflate = zlib.compressobj(9)
    stream = deflate.compress(head) + deflate.compress(bytes(entries * 7 - len(head))) + deflate.flush()
    out += (
        b"2 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (entries, len(stream))
        + stream
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    assert len(out) < 20_000

    report = validation.pdf_signature_check(out)

    assert not report.signed and report.problem == validation.PROBLEM_NOT_PDF
