"""pdf_signature_check on files made to cost the public check page time: each upload is bounded."""

from __future__ import annotations

import re
import signal
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from pyhanko.sign.validation import pdf_embedded

from esurety.documents import pdf
from esurety.signing import inspection, sandbox, validation
from tests import factories
from tests.signing import hostile_pdfs


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

    # In this process, where the spy sees pyHanko (the sandbox's child would not).
    report = validation.pdf_signature_check(hostile, isolated=False)

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

    report = validation.pdf_signature_check(bytes(data), isolated=False)

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


def test_38000_signature_fields_are_refused_before_parsing(signed: bytes) -> None:
    # 4 MB; pyHanko alone spends 15 s of CPU building one CMS object per field.
    hostile = hostile_pdfs.many_signature_fields(hostile_pdfs.cms_of(signed), 38_000)
    assert len(hostile) < 5 * 1024 * 1024
    before = hostile_pdfs.check_cpu_seconds()

    with pytest.raises(validation.DocumentTooComplex) as refused:
        validation.pdf_signature_check(hostile)

    assert hostile_pdfs.check_cpu_seconds() - before < 0.5
    assert "/Sig" in refused.value.detail


@pytest.mark.parametrize("direct_n", [True, False], ids=["counted", "indirect_count"])
def test_fields_hidden_in_object_streams_are_counted_too(signed: bytes, direct_n: bool) -> None:
    hostile = hostile_pdfs.fields_in_object_streams(hostile_pdfs.cms_of(signed), 38_000, direct_n=direct_n)
    assert len(re.findall(rb"/Sig\b", hostile)) == 1  # only the signature value shows
    before = hostile_pdfs.check_cpu_seconds()

    with pytest.raises(validation.DocumentTooComplex) as refused:
        validation.pdf_signature_check(hostile)

    assert hostile_pdfs.check_cpu_seconds() - before < 0.5
    assert "objects" in refused.value.detail


def test_a_few_signature_fields_more_than_the_scan_sees_stop_the_walk(signed: bytes) -> None:
    # Eleven fields in one object stream: the raw scan sees one /Sig, the form walk stops at ten.
    hostile = hostile_pdfs.fields_in_object_streams(hostile_pdfs.cms_of(signed), 11)
    assert inspection.structure_problem(hostile) == ""

    with pytest.raises(validation.DocumentTooComplex) as refused:
        validation.pdf_signature_check(hostile)

    assert refused.value.detail == "more than 10 signature fields"


def test_what_the_scan_cannot_see_is_stopped_by_the_cpu_limit(db: None) -> None:
    # 5 MB, three objects: nothing to count, 12 s of parsing in one process.
    hostile = hostile_pdfs.huge_array(2_400_000)
    assert inspection.structure_problem(hostile) == ""

    run = sandbox.run_isolated(hostile, trust_roots=[], field_name="Signature1")

    assert run.inspection.outcome == inspection.Outcome.TOO_COMPLEX
    # Killed by the kernel at the CPU limit (SIGXCPU) or, on a machine too busy to give it
    # two seconds of CPU in time, by the wall-clock limit (SIGKILL).
    assert run.exit_signal in (signal.SIGXCPU, signal.SIGKILL)
    assert run.child_cpu_seconds <= sandbox.CPU_SECONDS + 0.2
    # The first run of a process also starts the helper (about a second).
    assert run.wall_seconds < sandbox.WALL_SECONDS + 3
    with pytest.raises(validation.DocumentTooComplex, match=r"CPU limit|no answer within"):
        validation.pdf_signature_check(hostile)


def test_the_child_memory_limit_holds_and_the_next_check_works(signed: bytes) -> None:
    roots = [root.dump() for root in validation.keys.trust_roots()]
    # A million parsed numbers need far more than 8 MiB: the limit, not the CPU, ends it.
    starved = sandbox.run_isolated(
        hostile_pdfs.huge_array(1_000_000), trust_roots=[], field_name="Signature1", memory_bytes=8 * 1024 * 1024
    )
    normal = sandbox.run_isolated(signed, trust_roots=roots, field_name="Signature1")

    assert starved.inspection.outcome == inspection.Outcome.TOO_COMPLEX
    assert starved.inspection.detail == "memory limit"
    assert starved.child_cpu_seconds < sandbox.CPU_SECONDS
    assert normal.inspection.outcome == inspection.Outcome.CHECKED and normal.inspection.trusted


def test_a_genuine_document_costs_the_child_little(signed: bytes) -> None:
    roots = [root.dump() for root in validation.keys.trust_roots()]
    sandbox.run_isolated(signed, trust_roots=roots, field_name="Signature1")  # the helper is running

    started = time.process_time()
    run = sandbox.run_isolated(signed, trust_roots=roots, field_name="Signature1")

    assert run.inspection.outcome == inspection.Outcome.CHECKED and run.inspection.trusted
    # Measured here: about 0.08 s of CPU and 0.03 s of wall time more than in one process.
    assert run.child_cpu_seconds + time.process_time() - started < 0.5


def test_pyhanko_tracebacks_stay_in_the_child(signed: bytes, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # An untrusted signer makes pyHanko log a warning with a traceback; a field with an
    # unknown SubFilter another. In one process they reach the log; the child says nothing.
    sandbox._helper.stop()  # the next helper writes to the captured stderr
    with override_settings(SIGNING_DIR=tmp_path):
        report = validation.pdf_signature_check(signed)
    assert report.signed and not report.trusted

    assert capfd.readouterr().err == ""


def test_a_memory_error_the_parser_wraps_still_reads_as_the_memory_limit() -> None:
    # Seen under load: pyHanko raised its own error while handling the MemoryError, and the
    # child reported "child failed" instead of the memory limit.
    try:
        try:
            raise MemoryError
        except MemoryError as exc:
            raise ValueError("unreadable") from exc
    except ValueError as wrapped:
        assert sandbox._out_of_memory(wrapped)
    assert not sandbox._out_of_memory(ValueError("unreadable"))
