"""「保証証書照合結果」: the orderer's signed record of one verification (issue 6), a PDF.

What was verified (number, version, content digest), when, by whom and with
which status, signed with the key of the guarantee's surety (the issuer of
record) and entered in the registry of issued documents. The signature makes
it checkable offline, with any PAdES-aware reader, years later and whether or
not esurety is still running.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from esurety.core.clock import TOKYO, business_date
from esurety.core.kinds import kind_full_name
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.documents.pdf import pdf_filename, render_document, wareki_datetime
from esurety.guarantees.models import Certificate
from esurety.guarantees.presentation import certificate_presentation
from esurety.signing.models import DocumentKind
from esurety.signing.services import pdf_sign
from esurety.verification.models import ViewRecord
from esurety.verification.selectors import guarantee_status_label

TITLE = "保証証書照合結果"

# Every field printed on a certificate version (guarantees.services.issuance.certificate_snapshot),
# in a fixed order. Not the row id nor the issuing clerk: those are internal, not content.
_DIGEST_FIELDS = (
    "version",
    "is_amendment",
    "issued_on",
    "issued_at",
    "kind",
    "work_name",
    "contract_price",
    "contract_price_consideration",
    "guaranteed_amount",
    "period_end",
    "completion_date",
    "deposit_bank",
    "contractor_name",
    "contractor_address",
    "orderer_name",
    "surety_name",
    "surety_postal_code",
    "surety_address",
    "surety_representative",
    "branch_name",
    "branch_address",
    "branch_tel",
    "branch_fax",
)


def _canonical_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def certificate_content_digest(certificate: Certificate, *, number: str) -> str:
    """SHA-256 of the version's content: compact JSON, keys sorted, UTF-8, datetimes in UTC.

    A version is never edited, so the digest of a version is fixed forever;
    a surety can recompute it from its own records to settle a dispute.
    """
    content = {name: _canonical_value(getattr(certificate, name)) for name in _DIGEST_FIELDS}
    content["number"] = number
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verification_result_pdf(*, view: ViewRecord, now: dt.datetime) -> bytes:
    """The signed 照合結果 (verification result) of ``view`` (an orderer user's verification), as of ``now``.

    The status is the one the orderer would see now for the version it
    verified: 変更あり when a newer version has been issued since.
    """
    receipt = view.receipt
    guarantee = receipt.guarantee
    user = view.user
    presentation = certificate_presentation(guarantee=guarantee, version=view.version)
    certificate = presentation.certificate
    surety = guarantee.surety
    status = guarantee_status_label(guarantee, seen_version=view.version, today=business_date(now))
    context = {
        "title": TITLE,
        "created": wareki_datetime(now),
        "number": guarantee.number,
        "kind_full_name": kind_full_name(certificate.kind),
        "surety_name": certificate.surety_name,
        "orderer_name": certificate.orderer_name,
        "contractor_name": certificate.contractor_name,
        "work_name": certificate.work_name,
        "guaranteed_amount": format_yen(certificate.guaranteed_amount),
        "period_end": format_wareki(presentation.period_end_shown),
        "version": certificate.version,
        "is_amendment": certificate.is_amendment,
        "version_issued_on": format_wareki(certificate.issued_on),
        "current_version": guarantee.current_version,
        "status": status,
        "verified_at": wareki_datetime(view.at),
        "verification_kind": view.get_kind_display(),
        "verifier_name": user.display_name or user.get_username(),
        "verifier_organisation": user.organisation_name,
        "first_verified_at": wareki_datetime(receipt.first_verified_at),
        "digest": certificate_content_digest(certificate, number=guarantee.number),
    }
    data = render_document(
        document="verification_result",
        context=context,
        title=f"{TITLE}（{guarantee.number} 第{certificate.version}版）",
        author=surety.name,
        created=now,
    )
    return pdf_sign(
        data,
        surety=surety,
        kind=DocumentKind.VERIFICATION_RESULT,
        guarantee=guarantee,
        certificate_version=certificate.version,
        now=now,
    )


def verification_result_filename(view: ViewRecord, *, now: dt.datetime) -> str:
    stamp = now.astimezone(TOKYO).strftime("%Y%m%d%H%M")
    return pdf_filename(TITLE, view.receipt.guarantee.number, f"第{view.version}版", stamp)
