"""What pyHanko says about the signature of one PDF, as plain data, with the work bounded.

This module imports no Django, so that ``esurety.signing.sandbox`` can run it in
a small child process with CPU and memory limits: the public check page hands
it whatever anyone uploads. ``validation`` turns an ``Inspection`` into the
report users see (names, the surety, Japanese sentences).

Two layers of bounds: ``structure_problem`` counts a few tokens in the raw
bytes before any parsing (a file esurety issues has about twenty objects, one
signature field and two or three revisions), and ``inspect_pdf`` stops
walking the form tree after a few signature fields. Whatever still slips
through (structures hidden in compressed object streams) meets the child's
resource limits.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import islice

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

MiB = 1024 * 1024
# Checking a signature reads the cross-reference data, the object streams and the signature
# dictionary, never the page contents: a few megabytes decoded is far more than any document
# esurety issues needs. pyHanko's defaults (256 MiB a stream) let a 50 kB upload declare a
# cross-reference stream of seven million entries: half a minute and over a gigabyte.
UPLOAD_DECODE_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_output_size=16 * MiB),
    per_purpose={
        **DEFAULT_PURPOSE_LIMITS,
        DecodePurpose.XREF_STREAM: StreamDecodeLimits(max_output_size=MiB),
        DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(max_ratio=100, ratio_floor=MiB, max_output_size=4 * MiB),
    },
    document_budget=DocumentDecodeBudget(base_allowance=32 * MiB, max_ratio=8),
)

# Far above anything esurety issues (about 20 objects, 1 signature field, 2-3 revisions,
# a few more with time stamps), far below what makes pyHanko slow: it builds a CMS
# object for every filled signature field (38,000 of them: 15 s).
MAX_OBJECTS = 5_000
MAX_SIGNATURE_TOKENS = 20
MAX_REVISIONS = 1_000
MAX_SIGNATURE_FIELDS = 10

_OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")
_SIGNATURE_TOKEN = re.compile(rb"/(?:Sig|DocTimeStamp)(?![A-Za-z0-9#])")
_STARTXREF = re.compile(rb"startxref\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
# The object count of an object stream (whose objects are compressed): a direct integer.
_DIRECT_N = re.compile(rb"/N\s+(\d{1,9})(?!\s*\d+\s+R)(?![0-9])")
_DICTIONARY_REACH = 1_000


class Outcome(enum.StrEnum):
    NOT_PDF = "not_pdf"
    UNSIGNED = "unsigned"
    BROKEN = "broken"  # a signature field whose signature cannot be checked
    CHECKED = "checked"  # pyHanko validated the signature (valid or not)
    TOO_COMPLEX = "too_complex"  # refused: checking it would cost more than any genuine file


@dataclass(frozen=True)
class Inspection:
    outcome: Outcome
    signer_cert: bytes = b""  # DER of the signing certificate, when it could be read
    intact: bool = False  # the signed bytes match the signature
    whole_file: bool = False  # the signature covers the whole file
    trusted: bool = False  # the signer chains to one of the given trust roots
    signed_at: dt.datetime | None = None
    timestamped: bool = False  # a valid time stamp from a trusted TSA
    detail: str = ""  # for the log (English): which limit, which error


def _count(pattern: re.Pattern[bytes], data: bytes, *, stop_after: int) -> int:
    return sum(1 for _ in islice(pattern.finditer(data), stop_after + 1))


def structure_problem(data: bytes) -> str:
    """'' when the raw bytes are within the limits, else what is over them (for the log).

    Cheap (a few regular-expression scans, milliseconds for 5 MB) and run
    before any parsing, so that a hostile upload is refused without a child.
    """
    signatures = _count(_SIGNATURE_TOKEN, data, stop_after=MAX_SIGNATURE_TOKENS)
    if signatures > MAX_SIGNATURE_TOKENS:
        return f"more than {MAX_SIGNATURE_TOKENS} /Sig tokens"
    revisions = _count(_STARTXREF, data, stop_after=MAX_REVISIONS)
    if revisions > MAX_REVISIONS:
        return f"more than {MAX_REVISIONS} revisions"
    objects = _count(_OBJECT_HEADER, data, stop_after=MAX_OBJECTS)
    for stream in islice(_OBJECT_STREAM.finditer(data), MAX_OBJECTS + 1):
        if objects > MAX_OBJECTS:
            break
        objects += _object_stream_size(data, stream.start())
    if objects > MAX_OBJECTS:
        return f"more than {MAX_OBJECTS} objects"
    return ""


def _object_stream_size(data: bytes, at: int) -> int:
    """/N of the object stream whose dictionary holds ``at`` (between "obj" and "stream").

    One whose /N the scan cannot read (an indirect /N, a long dictionary) counts
    as full: genuine files write it plainly.
    """
    start = data.rfind(b"obj", max(0, at - _DICTIONARY_REACH), at)
    end = data.find(b"stream", at, at + _DICTIONARY_REACH)
    if start < 0 or end < 0:
        return MAX_OBJECTS + 1
    found = _DIRECT_N.search(data, start, end)
    return int(found.group(1)) if found else MAX_OBJECTS + 1


def _signatures(reader: PdfFileReader) -> Iterator[EmbeddedPdfSignature] | None:
    """The filled signature fields with a known SubFilter; None when there are too many."""
    fields = list(islice(enumerate_sig_fields(reader, filled_status=True), MAX_SIGNATURE_FIELDS + 1))
    if len(fields) > MAX_SIGNATURE_FIELDS:
        return None
    known = {str(sub.value) for sub in SigSeedSubFilter}
    return (
        EmbeddedPdfSignature(reader, field, name)
        for name, value, field in fields
        if str(value.get_object().get("/SubFilter", "")) in known
    )


def _choose(signatures: list[EmbeddedPdfSignature], field_name: str) -> EmbeddedPdfSignature:
    for signature in signatures:
        if signature.field_name == field_name:
            return signature
    return signatures[0]


def _standard_byte_range(signature: EmbeddedPdfSignature, size: int) -> bool:
    """[0 a b c] inside the file, the only shape esurety signs.

    pyHanko digests whatever ranges the file lists, each up to the whole file:
    thousands of "0 5000000" pairs would make one upload hash terabytes.
    """
    byte_range: object = signature.byte_range
    if not isinstance(byte_range, list) or len(byte_range) != 4:
        return False
    numbers = [n for n in byte_range if isinstance(n, int) and not isinstance(n, bool) and n >= 0]
    if len(numbers) != 4:
        return False
    start1, len1, start2, len2 = numbers
    return start1 == 0 and len1 <= start2 and start2 + len2 <= size


def _validate(signature: EmbeddedPdfSignature, trust_roots: Sequence[bytes]) -> PdfSignatureStatus:
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    # A surety's certificate may carry either key usage for document signing.
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    # skip_diff: the report only asks whether the signature covers the whole file; pyHanko's
    # analysis of what later revisions changed costs time quadratic in their number, and an
    # upload of a few megabytes can hold tens of thousands of them.
    status: PdfSignatureStatus = validate_pdf_signature(signature, context, key_usage_settings=usage, skip_diff=True)
    return status


def _signer_cert(signature: EmbeddedPdfSignature) -> bytes:
    try:
        der: bytes = signature.signer_cert.dump()
    except Exception:  # noqa: BLE001 - a CMS blob without a usable certificate
        return b""
    return der


def _checked(status: PdfSignatureStatus) -> Inspection:
    crypto_ok = bool(status.intact and status.valid)
    ts = status.timestamp_validity
    # A timestamp from a TSA outside the trust roots proves nothing about the time.
    timestamped = ts is not None and ts.intact and ts.valid and bool(ts.trusted)
    return Inspection(
        outcome=Outcome.CHECKED,
        signer_cert=status.signing_cert.dump(),
        intact=crypto_ok,
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=crypto_ok and bool(status.trusted),
        signed_at=ts.timestamp if ts is not None and timestamped else status.signer_reported_dt,
        timestamped=timestamped,
    )


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def inspect_pdf(data: bytes, *, trust_roots: Sequence[bytes], field_name: str) -> Inspection:
    """Validate the signature of ``data`` (preferring the field ``field_name``); never raises on input.

    MemoryError is the exception: under the sandbox's memory limit it means
    "too heavy", which the caller reports as such rather than "not a PDF".
    """
    problem = structure_problem(data)
    if problem:
        return Inspection(outcome=Outcome.TOO_COMPLEX, detail=problem)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False, decode_limits=UPLOAD_DECODE_LIMITS)
        if reader.xrefs.total_revisions > MAX_REVISIONS:
            return Inspection(outcome=Outcome.TOO_COMPLEX, detail=f"more than {MAX_REVISIONS} revisions")
        found = _signatures(reader)
        if found is None:
            return Inspection(outcome=Outcome.TOO_COMPLEX, detail=f"more than {MAX_SIGNATURE_FIELDS} signature fields")
        signatures = sorted(found, key=lambda signature: signature.signed_revision)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed upload is "not a PDF", whatever broke the parser
        return Inspection(outcome=Outcome.NOT_PDF, detail=_error(exc))
    if not signatures:
        return Inspection(outcome=Outcome.UNSIGNED)
    signature = _choose(signatures, field_name)
    if not _standard_byte_range(signature, len(data)):
        return Inspection(outcome=Outcome.BROKEN, signer_cert=_signer_cert(signature), detail="unusual /ByteRange")
    try:
        # The signer's certificate is read too: a crafted one must not escape as a 500.
        return _checked(_validate(signature, trust_roots))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged signature dictionary, CMS blob or certificate
        return Inspection(outcome=Outcome.BROKEN, signer_cert=_signer_cert(signature), detail=_error(exc))
