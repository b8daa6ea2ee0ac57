"""Checking a PDF someone holds: did esurety's surety sign exactly these bytes?

Used by the verification portal (upload a key notice, see whether it is
genuine) and by the tests. Never raises on input: garbage gets a report
with signed=False and a Japanese sentence saying why.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from esurety.parties.models import SuretyCompany
from esurety.signing import keys
from esurety.signing.models import IssuedDocument
from esurety.signing.services import SIGNATURE_FIELD

logger = logging.getLogger(__name__)

PROBLEM_NOT_PDF = "PDFファイルとして読み取れません。"
PROBLEM_UNSIGNED = "このPDFには電子署名がありません。"
PROBLEM_BROKEN = "電子署名のデータが壊れているため検証できません。"
PROBLEM_ALTERED = "署名の後に文書が改変されています。"
PROBLEM_APPENDED = "署名の後に文書へ変更が追加されています。"
PROBLEM_UNTRUSTED = "署名者の証明書は、esurety が信頼する認証局から発行されたものではありません。"


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


@dataclass(frozen=True)
class SignatureReport:
    signed: bool  # the file has a signature at all
    intact: bool  # the signed bytes are unchanged and the signature covers the whole file
    trusted: bool  # the signer chains to a configured esurety trust root
    signer_name: str  # subject O (else CN) of the signing certificate ('' when unsigned)
    surety: SuretyCompany | None  # set only for an intact, trusted signature by a known surety certificate
    signed_at: dt.datetime | None
    timestamped: bool
    problem: str  # one Japanese sentence when not valid, '' when valid

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted


def _unsigned(problem: str) -> SignatureReport:
    return SignatureReport(
        signed=False,
        intact=False,
        trusted=False,
        signer_name="",
        surety=None,
        signed_at=None,
        timestamped=False,
        problem=problem,
    )


def _our_signature(signatures: list[EmbeddedPdfSignature]) -> EmbeddedPdfSignature:
    for signature in signatures:
        if signature.field_name == SIGNATURE_FIELD:
            return signature
    return signatures[0]


def _surety_for(cert: asn1_x509.Certificate) -> SuretyCompany | None:
    fp = keys.fingerprint(cert)
    surety_id = keys.configured_surety_fingerprints().get(fp)
    if surety_id is None:
        # A certificate since replaced in SIGNING_DIR still identifies the documents it signed.
        surety_id = IssuedDocument.objects.filter(signer_fingerprint=fp).values_list("surety_id", flat=True).first()
    if surety_id is None:
        return None
    return SuretyCompany.objects.filter(pk=surety_id).first()


def _validate(signature: EmbeddedPdfSignature) -> PdfSignatureStatus:
    context = ValidationContext(trust_roots=keys.trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    # A surety's certificate may carry either key usage for document signing.
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    # skip_diff: the report only asks whether the signature covers the whole file; pyHanko's
    # analysis of what later revisions changed costs time quadratic in their number, and an
    # upload of a few megabytes can hold tens of thousands of them.
    status: PdfSignatureStatus = validate_pdf_signature(signature, context, key_usage_settings=usage, skip_diff=True)
    return status


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


def _report(status: PdfSignatureStatus) -> SignatureReport:
    cert = status.signing_cert
    crypto_ok = status.intact and status.valid
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = crypto_ok and whole_file
    trusted = crypto_ok and bool(status.trusted)
    ts = status.timestamp_validity
    # A timestamp from a TSA outside the trust roots proves nothing about the time.
    timestamped = ts is not None and ts.intact and ts.valid and bool(ts.trusted)
    signed_at = ts.timestamp if ts is not None and timestamped else status.signer_reported_dt
    if not crypto_ok:
        problem = PROBLEM_ALTERED
    elif not whole_file:
        problem = PROBLEM_APPENDED
    elif not trusted:
        problem = PROBLEM_UNTRUSTED
    else:
        problem = ""
    return SignatureReport(
        signed=True,
        intact=intact,
        trusted=trusted,
        signer_name=keys.subject_name(cert),
        surety=_surety_for(cert) if intact and trusted else None,
        signed_at=signed_at,
        timestamped=timestamped,
        problem=problem,
    )


def pdf_signature_check(data: bytes) -> SignatureReport:
    """Validate the esurety signature of a PDF; never raises on garbage input."""
    try:
        signatures = list(
            PdfFileReader(BytesIO(data), strict=False, decode_limits=UPLOAD_DECODE_LIMITS).embedded_signatures
        )
    except Exception:  # noqa: BLE001 - any malformed upload is "not a PDF", whatever broke the parser
        return _unsigned(PROBLEM_NOT_PDF)
    if not signatures:
        return _unsigned(PROBLEM_UNSIGNED)
    signature = _our_signature(signatures)
    if not _standard_byte_range(signature, len(data)):
        return _broken(signature)
    try:
        # The report reads the signer's certificate too: a crafted one must not escape as a 500.
        return _report(_validate(signature))
    except Exception:  # noqa: BLE001 - a damaged signature dictionary, CMS blob or certificate
        logger.info("signature validation failed on a damaged file", exc_info=True)
        return _broken(signature)


def _broken(signature: EmbeddedPdfSignature) -> SignatureReport:
    try:
        signer_name = keys.subject_name(signature.signer_cert)
    except Exception:  # noqa: BLE001
        signer_name = ""
    return SignatureReport(
        signed=True,
        intact=False,
        trusted=False,
        signer_name=signer_name,
        surety=None,
        signed_at=None,
        timestamped=False,
        problem=PROBLEM_BROKEN,
    )
