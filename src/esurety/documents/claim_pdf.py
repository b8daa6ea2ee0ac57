"""The claim's documents as signed PDFs: the claim as filed (保証債務履行請求書の控え), the decision
(支払決定通知書 / 不支払通知書) and the payment notice (保証金支払通知書). Each is signed by the
guarantee's surety and registered, so /check/ can verify it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from esurety.claims.computation import claim_payout
from esurety.claims.kinds import ClaimStatus, Decision
from esurety.claims.models import Claim
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError
from esurety.core.kinds import kind_full_name
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.documents import qr
from esurety.documents.pdf import pdf_filename, render_document
from esurety.signing.models import DocumentKind
from esurety.signing.services import pdf_sign

FILED, DECISION, PAYMENT = "filed", "decision", "payment"
KINDS = (FILED, DECISION, PAYMENT)


def _title(claim: Claim, which: str) -> str:
    if which == FILED:
        return "保証債務履行請求書（控え）"
    if which == DECISION:
        return "支払決定通知書" if claim.decision == Decision.PAY else "不支払通知書"
    return "保証金支払通知書"


def claim_pdf_available(claim: Claim, which: str) -> bool:
    if which == DECISION:
        return bool(claim.decision)
    if which == PAYMENT:
        return claim.status == ClaimStatus.PAID
    return which == FILED


def _issued_on(claim: Claim, which: str) -> dt.date:
    """The day of the step the document records, not the day it is downloaded: the copy the
    orderer fetches next year says what the one fetched today says."""
    if which == DECISION and claim.decided_at is not None:
        return business_date(claim.decided_at)
    if which == PAYMENT and claim.paid_on is not None:
        return claim.paid_on
    return business_date(claim.filed_at)


def claim_pdf(*, claim: Claim, which: str) -> bytes:
    if which not in KINDS or not claim_pdf_available(claim, which):
        raise InvalidStateError("この書類はまだ発行できません。")
    g = claim.guarantee
    surety = g.surety
    title = _title(claim, which)
    payout = claim_payout(claim)
    context: dict[str, Any] = {
        "title": title,
        "which": which,
        "claim_number": claim.number,
        "issued_on": format_wareki(_issued_on(claim, which)),
        "orderer_name": claim.orderer.name,
        "contractor_name": g.contractor.name,
        "number": g.number,
        "kind_full_name": kind_full_name(g.kind),
        "work_name": g.work_name,
        "guaranteed_amount": format_yen(g.guaranteed_amount),
        "filed_on": format_wareki(business_date(claim.filed_at)),
        "termination_date": format_wareki(claim.termination_date),
        "termination_reason": claim.get_termination_reason_display(),
        "claimed_amount": format_yen(claim.claimed_amount),
        "lines": [(x.label, x.sign or "≦", format_yen(x.amount)) for x in payout.lines],
        "decision": claim.get_decision_display() if claim.decision else "",
        "decided_on": format_wareki(business_date(claim.decided_at)) if claim.decided_at else "",
        "decision_reason": claim.decision_reason,
        "amount": format_yen(claim.assessed_amount),
        "paid_on": format_wareki(claim.paid_on) if claim.paid_on else "",
        "paid_amount": format_yen(claim.paid_amount),
        "documents": [d.title for d in claim.documents.order_by("uploaded_at", "pk")],
        "surety_name": surety.name,
        "surety_postal_code": surety.postal_code,
        "surety_address": surety.address,
        "surety_representative": f"{surety.representative_title} {surety.representative_name}",
        "qr_image": qr.qr_png_data_uri(qr.check_page_url()),
        "check_page_url": qr.check_page_url(),
    }
    rendered = render_document(
        document="claim_notice",
        context=context,
        title=f"{title}（{claim.number}）",
        author=surety.name,
        created=timezone.now(),
    )
    kind = {FILED: DocumentKind.CLAIM, DECISION: DocumentKind.CLAIM_DECISION, PAYMENT: DocumentKind.CLAIM_PAYMENT}
    return pdf_sign(
        rendered, surety=surety, kind=kind[which], guarantee=g, certificate_version=None, now=timezone.now()
    )


def claim_pdf_filename(claim: Claim, which: str) -> str:
    return pdf_filename(_title(claim, which), claim.number)
