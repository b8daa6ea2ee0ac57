"""保証債務の履行請求: the beneficiary orderer files a claim, and adds documents when asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from esurety.advances.services import account_stop_on_claim
from esurety.audit.services import audit_record
from esurety.claims.computation import claim_payout
from esurety.claims.kinds import (
    DOCUMENT_STATUSES,
    ClaimStatus,
    MessageKind,
    MessageSide,
    TerminationReason,
)
from esurety.claims.models import Claim
from esurety.claims.rules import DEFAULT_PENALTY, claim_deadline
from esurety.claims.services.common import (
    Upload,
    check_uploads,
    claim_snapshot,
    clean_message,
    documents_summary,
    guarantee_status_change,
    lock_claim,
    lock_guarantee_row,
    message_add,
    notify_claim,
    publish,
    raise_if,
    store_uploads,
)
from esurety.claims.terms import claim_terms_on
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError, RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import User
from esurety.parties.permissions import require_beneficiary_holder
from esurety.webhooks.models import WebhookEvent

YEN_MAX = 10**13  # one trillion yen and more is a typing error, not a public work


@dataclass(frozen=True)
class ClaimInput:
    termination_date: dt.date
    termination_reason: str
    advance_paid: int = 0
    interim_advance_paid: int = 0
    progress_paid: int = 0
    work_done_value: int = 0
    penalty_numerator: int = DEFAULT_PENALTY[0]
    penalty_denominator: int = DEFAULT_PENALTY[1]
    statement: str = ""


def claim_number(g: Guarantee) -> str:
    # One claim per guarantee, so the guarantee's number names it.
    return f"C{g.number}"


def _refusal(g: Guarantee) -> str | None:
    existing = Claim.objects.filter(guarantee=g).values_list("number", flat=True).first()
    if existing is not None:
        return (
            f"保証契約 {g.number} の履行請求は受付済みです（履行請求番号 {existing}）。"
            "同じ保証契約に二度は請求できません。"
        )
    if g.status != GuaranteeStatus.ACTIVE:
        return f"保証契約 {g.number} は「{g.get_status_display()}」のため履行請求できません。"
    return None


def _check(data: ClaimInput, g: Guarantee, today: dt.date) -> list[RuleViolation]:
    v: list[RuleViolation] = []
    if data.termination_reason not in TerminationReason.values:
        v.append(RuleViolation("termination_reason", "解除の事由を選んでください。"))
    if data.termination_date > today:
        v.append(RuleViolation("termination_date", "契約解除日に未来の日付は入力できません。"))
    if data.termination_date < g.contract_date:
        v.append(RuleViolation("termination_date", "契約解除日が契約締結日より前です。"))
    if data.termination_date > g.period_end:
        v.append(RuleViolation("termination_date", "契約解除日が保証期間の後です。保証期間内の解除のみ請求できます。"))
    for field, label, value in (
        ("advance_paid", "支払済の前払金", data.advance_paid),
        ("interim_advance_paid", "支払済の中間前払金", data.interim_advance_paid),
        ("progress_paid", "支払済の出来形払", data.progress_paid),
        ("work_done_value", "既済部分の代価", data.work_done_value),
    ):
        if value < 0 or value >= YEN_MAX:
            v.append(RuleViolation(field, f"{label}は0円以上の金額を入力してください。"))
    if g.kind == GuaranteeKind.PERFORMANCE:
        if not (0 < data.penalty_denominator <= 1000 and 0 < data.penalty_numerator <= data.penalty_denominator):
            v.append(RuleViolation("penalty", "違約金の割合は、契約書のとおり（例: 100分の10）入力してください。"))
    elif data.advance_paid + data.interim_advance_paid <= 0:
        v.append(RuleViolation("advance_paid", "支払済の前払金（または中間前払金）を入力してください。"))
    return v


@transaction.atomic
def claim_file(
    *, guarantee: Guarantee, by: User, data: ClaimInput, uploads: Sequence[Upload], now: dt.datetime
) -> Claim:
    """File the claim: 受付. The guarantee becomes 履行請求中 and its advance account is stopped."""
    # The guarantee row is locked: two clerks filing at once, or a filing and a completion,
    # run one after the other and the second is refused by the checks below.
    g = lock_guarantee_row(guarantee.pk)
    holds = by.orderer_id is not None and g.receipts.filter(orderer_id=by.orderer_id).exists()
    require_beneficiary_holder(by, orderer=g.orderer, holds_certificate=holds)
    refusal = _refusal(g)
    if refusal:
        raise InvalidStateError(refusal)
    today = business_date(now)
    statement, violations = clean_message(data.statement, field="statement", label="請求の内容・経緯", required=False)
    violations += _check(data, g, today)
    terms = claim_terms_on(surety_id=g.surety_id, on=today)
    deadline = claim_deadline(termination_date=data.termination_date, filing_deadline_days=terms.filing_deadline_days)
    if deadline is not None and today > deadline:
        violations.append(
            RuleViolation(
                "termination_date",
                f"請求期限（契約解除日から{terms.filing_deadline_days}日、"
                f"{format_wareki(deadline, padded=False)}）を過ぎています。"
                "保証会社にご相談ください。",
            )
        )
    violations += check_uploads(uploads, required=True)
    raise_if(violations)
    performance = g.kind == GuaranteeKind.PERFORMANCE
    claim = Claim(
        number=claim_number(g),
        guarantee=g,
        orderer=g.orderer,
        guarantee_status_before=g.status,
        filed_by=by,
        filed_at=now,
        termination_date=data.termination_date,
        termination_reason=data.termination_reason,
        advance_paid=0 if performance else data.advance_paid,
        interim_advance_paid=0 if performance else data.interim_advance_paid,
        progress_paid=0 if performance else data.progress_paid,
        work_done_value=0 if performance else data.work_done_value,
        penalty_numerator=data.penalty_numerator if performance else DEFAULT_PENALTY[0],
        penalty_denominator=data.penalty_denominator if performance else DEFAULT_PENALTY[1],
        includes_progress=terms.includes_progress_payments,
        claimed_amount=0,
        statement=statement,
        deadline_on=deadline,
    )
    claim.claimed_amount = claim_payout(claim).amount
    claim.save()
    docs = store_uploads(claim=claim, uploads=uploads, by=by, now=now)
    message_add(claim=claim, side=MessageSide.ORDERER, kind=MessageKind.FILED, body=statement, by=by, now=now)
    audit_record(
        actor=by,
        action="claim.file",
        obj=claim,
        at=now,
        after={
            **claim_snapshot(claim),
            "termination_date": data.termination_date.isoformat(),
            "termination_reason": data.termination_reason,
            "advance_paid": claim.advance_paid,
            "interim_advance_paid": claim.interim_advance_paid,
            "progress_paid": claim.progress_paid,
            "work_done_value": claim.work_done_value,
            "documents": documents_summary(docs),
        },
        surety_id=g.surety_id,
    )
    guarantee_status_change(
        g, to=GuaranteeStatus.CLAIMED, by=by, now=now, action="guarantee.claim", extra={"claim": claim.number}
    )
    account_stop_on_claim(guarantee=g, by=by, reason=f"保証債務の履行請求（履行請求番号 {claim.number}）", now=now)
    publish(event=WebhookEvent.CLAIM_FILED, claim=claim, now=now)
    notify_claim(claim=claim, now=now)
    return claim


@transaction.atomic
def claim_add_documents(
    *, claim: Claim, by: User, uploads: Sequence[Upload], message: str = "", now: dt.datetime
) -> Claim:
    """The orderer adds documents (asked for or not); an 追加資料依頼 goes back to 審査中."""
    c = lock_claim(claim)
    g = c.guarantee
    require_beneficiary_holder(by, orderer=c.orderer, holds_certificate=by.orderer_id == c.orderer_id)
    if c.status not in DOCUMENT_STATUSES:
        raise InvalidStateError(f"この履行請求は「{c.get_status_display()}」のため書類を追加できません。")
    body, violations = clean_message(message, field="message", label="連絡事項", required=False)
    violations += check_uploads(uploads, required=True)
    raise_if(violations)
    before = claim_snapshot(c)
    docs = store_uploads(claim=c, uploads=uploads, by=by, now=now)
    message_add(claim=c, side=MessageSide.ORDERER, kind=MessageKind.DOCUMENTS_ADDED, body=body, by=by, now=now)
    changed = c.status == ClaimStatus.DOCUMENTS_REQUESTED
    if changed:
        c.status = ClaimStatus.UNDER_REVIEW
        c.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="claim.add_documents",
        obj=c,
        at=now,
        before=before,
        after={**claim_snapshot(c), "documents": documents_summary(docs), "message": body},
        surety_id=g.surety_id,
    )
    notify_claim(claim=c, now=now)
    return c
