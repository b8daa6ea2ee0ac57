"""Signing the PDFs esurety issues (PAdES, pyHanko) and recording each one.

Every PDF leaves esurety signed by the surety that issues it: PAdES B-B, or
B-T when settings.SIGNING_TSA_URL names an RFC 3161 time-stamping service.
The signature is invisible (an incremental update after the rendered file),
so text extraction and printing are unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from io import BytesIO

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from esurety.guarantees.models import Guarantee
from esurety.parties.models import SuretyCompany
from esurety.signing import keys
from esurety.signing.models import DocumentKind, IssuedDocument

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "esurety"
SIGNATURE_REASON = "電子保証書類の発行"


def _credentials(surety: SuretyCompany) -> keys.SuretyCredentials:
    if settings.SIGNING_DEMO:
        # Demo and test runs only: sureties created on the fly get a demo certificate on first use.
        try:
            credentials = keys.surety_credentials(surety)
        except keys.SigningKeyMissing:
            credentials = None
        if credentials is None or keys.subject_name(credentials.certificate) != surety.name:
            from esurety.signing.demo_ca import demo_certificate_ensure

            demo_certificate_ensure(surety)
    return keys.surety_credentials(surety)


def _timestamper() -> TimeStamper | None:
    url = settings.SIGNING_TSA_URL
    if not url:
        return None
    return HTTPTimeStamper(url, timeout=settings.SIGNING_TSA_TIMEOUT)


# Space reserved for the signature container, per (certificate, timestamped). Without it
# pyHanko sizes the container with a complete dry-run signature, which doubles the cost of
# signing; for one certificate the size is fixed (pyHanko's estimate keeps a 50% margin
# for timestamp tokens), so it is estimated once per process.
_reserved_sizes: dict[tuple[str, bool], int] = {}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)")


def _reserved_size(signed: bytes) -> int:
    """Hex digits between the < > of the last signature's /Contents."""
    *_, last = _BYTE_RANGE.finditer(signed)
    start, length, resume = (int(g) for g in last.groups())
    return resume - (start + length) - 2


def _sign(data: bytes, *, credentials: keys.SuretyCredentials, surety: SuretyCompany, kind: str) -> tuple[bytes, bool]:
    """The signed bytes and whether they carry a signature timestamp."""
    timestamper = _timestamper()
    meta = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=SIGNATURE_REASON,
        location=surety.address or None,
        name=surety.name,
        contact_info=surety.website or None,
    )

    def attempt(ts: TimeStamper | None) -> bytes:
        size_key = (credentials.fingerprint, ts is not None)
        reserved = _reserved_sizes.get(size_key)
        writer = IncrementalPdfFileWriter(BytesIO(data))
        # Validators list the subject next to the signer; the title and author come from the renderer.
        writer.document_meta.subject = f"{DocumentKind(kind).label}（{surety.name} 発行・電子署名付き）"
        try:
            out = PdfSigner(meta, signer=credentials.signer, timestamper=ts).sign_pdf(writer, bytes_reserved=reserved)
        except SigningError:
            if reserved is None:
                raise
            # A TSA answered with a larger token than the first one: estimate again.
            _reserved_sizes.pop(size_key, None)
            return attempt(ts)
        signed = bytes(out.getbuffer())
        if reserved is None:
            _reserved_sizes[size_key] = _reserved_size(signed)
        return signed

    if timestamper is None:
        return attempt(None), False
    try:
        return attempt(timestamper), True
    except TimestampRequestError:
        # A TSA outage must not stop contractors getting their notices: the PAdES B-B
        # signature still proves issuer and integrity; the row records the missing timestamp.
        # Not the URL: it may carry credentials.
        logger.exception("time-stamping service failed; signing without a timestamp")
        return attempt(None), False


def pdf_sign(
    data: bytes,
    *,
    surety: SuretyCompany,
    kind: str,
    guarantee: Guarantee | None,
    certificate_version: int | None,
    now: dt.datetime,
    statement_version: int | None = None,
) -> bytes:
    """Signs with the surety's key (PAdES B-B, or B-T with a timestamp when settings.SIGNING_TSA_URL is set),
    records an IssuedDocument with the sha256 of the signed bytes, returns the signed bytes.

    Raises keys.SigningKeyMissing when the surety has no key: no unsigned PDF leaves esurety.
    """
    kind = DocumentKind(kind)
    if surety.pk is None:
        raise ValueError("pdf_sign needs a saved surety: its key is found by primary key.")
    credentials = _credentials(surety)
    signed, timestamped = _sign(data, credentials=credentials, surety=surety, kind=kind)
    # get_or_create: the same bytes signed twice (same second, same content) are one document.
    IssuedDocument.objects.get_or_create(
        sha256=hashlib.sha256(signed).hexdigest(),
        defaults={
            "kind": kind,
            "surety": surety,
            "guarantee": guarantee,
            "certificate_version": certificate_version,
            "statement_version": statement_version,
            "issued_at": now,
            "size": len(signed),
            "signer_fingerprint": credentials.fingerprint,
            "timestamped": timestamped,
        },
    )
    return signed
