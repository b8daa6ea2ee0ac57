"""The surety's claims desk: ask for documents, assess, decide (four eyes), record the payment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.advances.ledger import balance
from esurety.advances.models import AdvanceAccount
from esurety.audit.services import audit_record
from esurety.claims.computation import claim_payout
from esurety.claims.kinds import ASSESSABLE_STATUSES, ClaimStatus, Decision, MessageKind, MessageSide
from esurety.claims.models import Claim
from esurety.claims.services.common import (
    claim_snapshot,
    clean_message,
    guarantee_status_change,
    lock_claim,
    lock_guarantee_row,
    message_add,
    notify_claim,
    publish,
    raise_if,
)
from esurety.claims.services.filing import YEN_MAX
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError, RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.models import GuaranteeStatus
from esurety.parties.models import User
from esurety.parties.permissions import require_claim_decider, require_staff
from esurety.webhooks.models import WebhookEvent


def _require_status(c: Claim, *allowed: str, action: str) -> None:
    if c.status not in allowed:
        raise InvalidStateError(f"この履行請求は「{c.get_status_display()}」のため{action}できません。")


@transaction.atomic
def claim_request_documents(*, claim: Claim, by: User, message: str, now: dt.datetime) -> Claim:
    """追加資料依頼: staff say what is missing; the orderer is told by mail."""
    c = lock_claim(claim)
    g = c.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    _require_status(c, *ASSESSABLE_STATUSES, action="追加資料を依頼")
    body, violations = clean_message(message, field="message", label="依頼する資料と理由", required=True)
    raise_if(violations)
    before = claim_snapshot(c)
    c.status = ClaimStatus.DOCUMENTS_REQUESTED
    c.save(update_fields=["status", "updated_at"])
    message_add(claim=c, side=MessageSide.SURETY, kind=MessageKind.DOCUMENT_REQUEST, body=body, by=by, now=now)
    audit_record(
        actor=by,
        action="claim.request_documents",
        obj=c,
        at=now,
        before=before,
        after={**claim_snapshot(c), "message": body},
        surety_id=g.surety_id,
    )
    notify_claim(claim=c, now=now, message=body)
    return c


@transaction.atomic
def claim_assess(*, claim: Claim, by: User, work_done_value: int | None = None, note: str, now: dt.datetime) -> Claim:
    """審査: staff accept (or correct) the value of the work done and record the 保証金 it gives.

    A later assessment replaces an earlier one until the decision; whoever assessed last may
    not decide (four eyes).
    """
    c = lock_claim(claim)
    g = c.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    _require_status(c, *ASSESSABLE_STATUSES, action="審査")
    body, violations = clean_message(note, field="note", label="審査意見", required=True)
    performance = g.kind == GuaranteeKind.PERFORMANCE
    if not performance:
        if work_done_value is None:
            violations.append(RuleViolation("work_done_value", "審査による既済部分の代価を入力してください。"))
        elif work_done_value < 0 or work_done_value >= YEN_MAX:
            violations.append(RuleViolation("work_done_value", "既済部分の代価は0円以上の金額を入力してください。"))
    raise_if(violations)
    before = claim_snapshot(c)
    c.assessed_work_done_value = None if performance else work_done_value
    c.assessed_amount = claim_payout(c).amount
    c.assessment_note = body
    c.assessed_by = by
    c.assessed_at = now
    c.status = ClaimStatus.UNDER_REVIEW
    c.save(
        update_fields=[
            "assessed_work_done_value",
            "assessed_amount",
            "assessment_note",
            "assessed_by",
            "assessed_at",
            "status",
            "updated_at",
        ]
    )
    message_add(
        claim=c, side=MessageSide.SURETY, kind=MessageKind.ASSESSMENT, body="審査を行っています。", by=by, now=now
    )
    audit_record(
        actor=by,
        action="claim.assess",
        obj=c,
        at=now,
        before=before,
        after={**claim_snapshot(c), "assessed_work_done_value": c.assessed_work_done_value, "note": body},
        surety_id=g.surety_id,
    )
    if before["status"] != c.status:
        notify_claim(claim=c, now=now)
    return c


@transaction.atomic
def claim_decide(*, claim: Claim, by: User, decision: str, reason: str, now: dt.datetime) -> Claim:
    """支払決定 or 不支払, by an approver who did not assess it, with a reason. On 不支払 the
    guarantee returns to the state it had before the claim."""
    c = lock_claim(claim)
    g = c.guarantee
    _require_status(c, *ASSESSABLE_STATUSES, action="決定")
    if c.assessed_by_id is None or c.assessed_amount is None:
        raise InvalidStateError("審査の記録がありません。審査の後に、別の承認者が決定します。")
    require_claim_decider(by, surety=g.surety, branch=g.branch, assessed_by_id=c.assessed_by_id)
    body, violations = clean_message(reason, field="reason", label="決定の理由", required=True)
    if decision not in Decision.values:
        violations.append(RuleViolation("decision", "支払または不支払を選んでください。"))
    elif decision == Decision.PAY and c.assessed_amount <= 0:
        # A payment decision of 0円 would end the guarantee as 保証履行済 with nothing paid.
        violations.append(
            RuleViolation("decision", "審査した保証金が0円のため、支払決定はできません。不支払として決定してください。")
        )
    raise_if(violations)
    before = claim_snapshot(c)
    c.decision = decision
    c.decision_reason = body
    c.decided_by = by
    c.decided_at = now
    c.status = ClaimStatus.PAYMENT_DECIDED if decision == Decision.PAY else ClaimStatus.REFUSED
    c.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "status", "updated_at"])
    message_add(claim=c, side=MessageSide.SURETY, kind=MessageKind.DECISION, body=body, by=by, now=now)
    audit_record(
        actor=by,
        action="claim.decide",
        obj=c,
        at=now,
        before=before,
        after={**claim_snapshot(c), "reason": body},
        surety_id=g.surety_id,
    )
    if decision == Decision.REFUSE:
        locked = lock_guarantee_row(g.pk)
        guarantee_status_change(
            locked,
            to=c.guarantee_status_before or GuaranteeStatus.ACTIVE,
            by=by,
            now=now,
            action="guarantee.claim_refused",
            extra={"claim": c.number},
        )
        c.guarantee = locked
    publish(event=WebhookEvent.CLAIM_DECIDED, claim=c, now=now)
    notify_claim(claim=c, now=now, message=body)
    return c


@transaction.atomic
def claim_record_payment(*, claim: Claim, by: User, paid_on: dt.date, now: dt.datetime) -> Claim:
    """支払済: the decided 保証金 was paid. The guarantee becomes 保証履行済; the advance account's
    balance is the surety's to recover in the orderer's place (代位)."""
    c = lock_claim(claim)
    g = c.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    _require_status(c, ClaimStatus.PAYMENT_DECIDED, action="支払を記録")
    violations = []
    if paid_on > business_date(now):
        violations.append(RuleViolation("paid_on", "支払日に未来の日付は入力できません。"))
    if c.decided_at is not None and paid_on < business_date(c.decided_at):
        violations.append(RuleViolation("paid_on", "支払日は支払決定日以降の日付を入力してください。"))
    raise_if(violations)
    account_pk = AdvanceAccount.objects.filter(guarantee_id=g.pk).values_list("pk", flat=True).first()
    before = claim_snapshot(c)
    c.paid_amount = c.assessed_amount
    c.paid_on = paid_on
    c.paid_by = by
    c.paid_at = now
    c.subrogated_balance = balance(account_pk).advance_balance if account_pk is not None else None
    c.status = ClaimStatus.PAID
    c.save(update_fields=["paid_amount", "paid_on", "paid_by", "paid_at", "subrogated_balance", "status", "updated_at"])
    message_add(
        claim=c, side=MessageSide.SURETY, kind=MessageKind.PAYMENT, body="保証金を支払いました。", by=by, now=now
    )
    audit_record(
        actor=by,
        action="claim.pay",
        obj=c,
        at=now,
        before=before,
        after={**claim_snapshot(c), "paid_on": paid_on.isoformat(), "subrogated_balance": c.subrogated_balance},
        surety_id=g.surety_id,
    )
    locked = lock_guarantee_row(g.pk)
    guarantee_status_change(
        locked, to=GuaranteeStatus.PAID_OUT, by=by, now=now, action="guarantee.pay_out", extra={"claim": c.number}
    )
    c.guarantee = locked
    publish(event=WebhookEvent.CLAIM_PAID, claim=c, now=now)
    notify_claim(claim=c, now=now)
    return c
