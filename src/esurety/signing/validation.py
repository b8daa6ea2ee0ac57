"""Checking a PDF someone holds: did esurety's surety sign exactly these bytes?

Used by the public check page (anyone uploads a PDF, sees whether it is
genuine) and by the tests. pyHanko runs in a child process with CPU, memory
and time limits (``sandbox``), after a cheap scan of the raw bytes
(``inspection.structure_problem``): a file beyond those limits raises
``DocumentTooComplex``. Any other input gets a report, garbage with
signed=False and a Japanese sentence saying why.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]

from esurety.parties.models import SuretyCompany
from esurety.signing import keys, sandbox
from esurety.signing.inspection import Inspection, Outcome, inspect_pdf, structure_problem
from esurety.signing.models import IssuedDocument
from esurety.signing.services import SIGNATURE_FIELD

logger = logging.getLogger(__name__)

PROBLEM_NOT_PDF = "PDFファイルとして読み取れません。"
PROBLEM_UNSIGNED = "このPDFには電子署名がありません。"
PROBLEM_BROKEN = "電子署名のデータが壊れているため検証できません。"
PROBLEM_ALTERED = "署名の後に文書が改変されています。"
PROBLEM_APPENDED = "署名の後に文書へ変更が追加されています。"
PROBLEM_UNTRUSTED = "署名者の証明書は、esurety が信頼する認証局から発行されたものではありません。"


class DocumentTooComplex(Exception):
    """Checking this file would cost more than any document esurety issues: refused, not judged."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail  # English, for the log: which limit


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


def _certificate(der: bytes) -> asn1_x509.Certificate | None:
    if not der:
        return None
    try:
        cert = asn1_x509.Certificate.load(der)
        keys.subject_name(cert)  # asn1crypto parses lazily: a crafted subject fails here, not later
    except Exception:  # noqa: BLE001 - whatever a crafted certificate breaks
        return None
    return cert


def _surety_for(cert: asn1_x509.Certificate) -> SuretyCompany | None:
    fp = keys.fingerprint(cert)
    surety_id = keys.configured_surety_fingerprints().get(fp)
    if surety_id is None:
        # A certificate since replaced in SIGNING_DIR still identifies the documents it signed.
        surety_id = IssuedDocument.objects.filter(signer_fingerprint=fp).values_list("surety_id", flat=True).first()
    if surety_id is None:
        return None
    return SuretyCompany.objects.filter(pk=surety_id).first()


def _report(found: Inspection) -> SignatureReport:
    cert = _certificate(found.signer_cert)
    if cert is None:
        return _broken(found)
    intact = found.intact and found.whole_file
    trusted = found.trusted
    if not found.intact:
        problem = PROBLEM_ALTERED
    elif not found.whole_file:
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
        signed_at=found.signed_at,
        timestamped=found.timestamped,
        problem=problem,
    )


def _broken(found: Inspection) -> SignatureReport:
    cert = _certificate(found.signer_cert)
    return SignatureReport(
        signed=True,
        intact=False,
        trusted=False,
        signer_name=keys.subject_name(cert) if cert is not None else "",
        surety=None,
        signed_at=None,
        timestamped=False,
        problem=PROBLEM_BROKEN,
    )


def pdf_signature_check_prepare() -> None:
    """Get the isolated checker of this process ready ahead of an upload (the upload page calls it)."""
    sandbox.helper_warm()


def pdf_signature_check(data: bytes, *, isolated: bool = True) -> SignatureReport:
    """Validate the esurety signature of a PDF.

    Never raises on garbage input, except ``DocumentTooComplex`` for a file
    whose checking would exceed the limits. ``isolated=False`` runs pyHanko in
    this process, without the resource limits (tests that spy on pyHanko).
    """
    problem = structure_problem(data)
    if problem:
        raise DocumentTooComplex(problem)
    roots = [root.dump() for root in keys.trust_roots()]
    if isolated:
        found = sandbox.run_isolated(data, trust_roots=roots, field_name=SIGNATURE_FIELD).inspection
    else:
        found = inspect_pdf(data, trust_roots=roots, field_name=SIGNATURE_FIELD)
    match found.outcome:
        case Outcome.TOO_COMPLEX:
            raise DocumentTooComplex(found.detail)
        case Outcome.NOT_PDF:
            return _unsigned(PROBLEM_NOT_PDF)
        case Outcome.UNSIGNED:
            return _unsigned(PROBLEM_UNSIGNED)
        case Outcome.BROKEN:
            # One line, no traceback: a damaged file is the uploader's problem, not ours.
            logger.info("signature could not be validated: %s", found.detail)
            return _broken(found)
        case Outcome.CHECKED:
            return _report(found)
