"""変更契約 through 変更申請 with four eyes: a clerk enters an amount or 工期 change, another
approver performs it. An amount change issues a (変更) version and a premium-difference
statement (追加保証料 / 返還計算書); a 工期 change moves the period only.

Only the request → approve path is public: the changes themselves (_amend_amount,
_change_period) are called by amendment_request_approve alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import amendment_change, guarantee_event_publish
from esurety.guarantees.models import (
    Amendment,
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Guarantee,
    GuaranteeStatus,
    PremiumStatement,
)
from esurety.guarantees.services.amendment_checks import amended_terms_violations, rider_violations
from esurety.guarantees.services.issuance import certificate_issue
from esurety.guarantees.services.mail import notify_parties
from esurety.guarantees.services.premium_statements import premium_difference_statement
from esurety.guarantees.services.steps import (
    audited_change,
    audited_create,
    lock_guarantee,
    require_guarantee_active,
)
from esurety.parties.models import User
from esurety.parties.permissions import require_approver, require_approver_or_entrant, require_staff


def _lock_active(guarantee: Guarantee) -> Guarantee:
    g = (
        Guarantee.objects.select_for_update()
        .select_related("surety", "branch", "contractor", "orderer")
        .get(pk=guarantee.pk)
    )
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため変更できません。")
    return g


@transaction.atomic
def _amend_amount(
    *,
    guarantee: Guarantee,
    by: User,
    contract_price: int,
    guaranteed_amount: int,
    effective_on: dt.date,
    reason: str,
    now: dt.datetime,
) -> Amendment:
    g = _lock_active(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if contract_price == g.contract_price and guaranteed_amount == g.guaranteed_amount:
        raise DomainError(
            "変更後の金額が現在と同じです。", [RuleViolation("guaranteed_amount", "金額が変わっていません。")]
        )
    violations = amended_terms_violations(
        g, price=contract_price, amount=guaranteed_amount, completion=g.completion_date
    )
    violations += rider_violations(g, new_advance_amount=guaranteed_amount)
    if violations:
        raise DomainError("変更後の内容に誤りがあります。", violations)
    before = {
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "version": g.current_version,
    }
    g.contract_price = contract_price
    g.guaranteed_amount = guaranteed_amount
    g.save(update_fields=["contract_price", "guaranteed_amount", "updated_at"])
    certificate = certificate_issue(guarantee=g, by=by, now=now, is_amendment=True)
    after = {"contract_price": contract_price, "guaranteed_amount": guaranteed_amount, "version": certificate.version}
    amendment = Amendment.objects.create(
        guarantee=g,
        amendment_type=AmendmentType.AMOUNT,
        effective_on=effective_on,
        reason=reason,
        before=before,
        after=after,
        certificate=certificate,
        created_by=by,
    )
    audit_record(
        actor=by, action="guarantee.amend_amount", obj=g, at=now, before=before, after=after, surety_id=g.surety_id
    )
    guarantee_event_publish(event="amended", guarantee=g, now=now, extra=amendment_change(amendment))
    return amendment


def _period_snapshot(g: Guarantee) -> dict[str, Any]:
    return {"completion_date": g.completion_date.isoformat(), "period_end": g.period_end.isoformat()}


@transaction.atomic
def _change_period(
    *, guarantee: Guarantee, by: User, completion_date: dt.date, effective_on: dt.date, reason: str, now: dt.datetime
) -> Amendment:
    """工期の変更: the period follows the works automatically; no new certificate (seed note 2)."""
    g = _lock_active(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if completion_date == g.completion_date:
        raise DomainError(
            "変更後の工事末日が現在と同じです。", [RuleViolation("completion_date", "工事末日が変わっていません。")]
        )
    violations = amended_terms_violations(
        g, price=g.contract_price, amount=g.guaranteed_amount, completion=completion_date
    )
    if violations:
        raise DomainError("変更後の内容に誤りがあります。", violations)
    before = _period_snapshot(g)
    audited_change(
        g,
        by=by,
        now=now,
        action="guarantee.change_period",
        changes={"completion_date": completion_date, "period_end": completion_date},
        snapshot=_period_snapshot,
        surety_id=g.surety_id,
    )
    after = _period_snapshot(g)
    amendment = Amendment.objects.create(
        guarantee=g,
        amendment_type=AmendmentType.PERIOD,
        effective_on=effective_on,
        reason=reason,
        before=before,
        after=after,
        created_by=by,
    )
    guarantee_event_publish(event="amended", guarantee=g, now=now, extra=amendment_change(amendment))
    return amendment


def amendment_request_snapshot(req: AmendmentRequest) -> dict[str, Any]:
    return {
        "guarantee": req.guarantee.number,
        "amendment_type": req.amendment_type,
        "contract_price": req.contract_price,
        "guaranteed_amount": req.guaranteed_amount,
        "completion_date": req.completion_date.isoformat() if req.completion_date else None,
        "effective_on": req.effective_on.isoformat(),
        "reason": req.reason,
        "status": req.status,
    }


def amendment_check(
    *,
    guarantee: Guarantee,
    amendment_type: str,
    contract_price: int | None,
    guaranteed_amount: int | None,
    completion_date: dt.date | None,
) -> list[RuleViolation]:
    """Every rule on the figures after the change, each on the field it concerns."""
    g = guarantee
    if amendment_type == AmendmentType.AMOUNT:
        missing = []
        if contract_price is None:
            missing.append(RuleViolation("contract_price", "変更後の請負金額(総額)を入力してください。"))
        if guaranteed_amount is None:
            missing.append(RuleViolation("guaranteed_amount", "変更後の保証金額を入力してください。"))
        if missing or contract_price is None or guaranteed_amount is None:
            return missing
        if contract_price == g.contract_price and guaranteed_amount == g.guaranteed_amount:
            return [RuleViolation("guaranteed_amount", "請負金額・保証金額のどちらも変わっていません。")]
        violations = amended_terms_violations(
            g, price=contract_price, amount=guaranteed_amount, completion=g.completion_date
        )
        return violations + rider_violations(g, new_advance_amount=guaranteed_amount)
    if amendment_type == AmendmentType.PERIOD:
        if completion_date is None:
            return [RuleViolation("completion_date", "変更後の工事末日を入力してください。")]
        if completion_date == g.completion_date:
            return [RuleViolation("completion_date", "工事末日が変わっていません。")]
        return amended_terms_violations(
            g, price=g.contract_price, amount=g.guaranteed_amount, completion=completion_date
        )
    return [RuleViolation("amendment_type", "変更の種類（金額の変更・工期の変更）を選んでください。")]


def _before(g: Guarantee) -> dict[str, Any]:
    return {
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "completion_date": g.completion_date.isoformat(),
        "period_end": g.period_end.isoformat(),
        "version": g.current_version,
    }


@transaction.atomic
def amendment_request_create(
    *,
    guarantee: Guarantee,
    by: User,
    amendment_type: str,
    effective_on: dt.date,
    reason: str,
    now: dt.datetime,
    contract_price: int | None = None,
    guaranteed_amount: int | None = None,
    completion_date: dt.date | None = None,
) -> AmendmentRequest:
    """A clerk enters a change; it waits for another staff member's approval."""
    g = lock_guarantee(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    require_guarantee_active(g, "変更")
    if AmendmentRequest.objects.filter(guarantee=g, status=AmendmentRequestStatus.PENDING).exists():
        raise InvalidStateError(
            f"保証契約 {g.number} には承認待ちの変更申請があります。先にその申請を承認または却下してください。"
        )
    violations: list[RuleViolation] = []
    reason = reason.strip()
    if not reason:
        violations.append(RuleViolation("reason", "変更理由を入力してください。"))
    elif len(reason) > 200:
        violations.append(RuleViolation("reason", "変更理由は200文字以内で入力してください。"))
    if amendment_type == AmendmentType.PERIOD:
        contract_price = guaranteed_amount = None
    elif amendment_type == AmendmentType.AMOUNT:
        completion_date = None
    violations += amendment_check(
        guarantee=g,
        amendment_type=amendment_type,
        contract_price=contract_price,
        guaranteed_amount=guaranteed_amount,
        completion_date=completion_date,
    )
    if violations:
        raise DomainError("変更後の内容に誤りがあります。", violations)
    req = AmendmentRequest(
        guarantee=g,
        amendment_type=amendment_type,
        contract_price=contract_price,
        guaranteed_amount=guaranteed_amount,
        completion_date=completion_date,
        effective_on=effective_on,
        reason=reason,
        before=_before(g),
        entered_by=by,
    )
    return audited_create(
        req,
        by=by,
        now=now,
        action="amendment_request.create",
        snapshot=amendment_request_snapshot,
        surety_id=g.surety_id,
        before=req.before,
    )


def _lock_pending(request: AmendmentRequest) -> AmendmentRequest:
    req = AmendmentRequest.objects.select_for_update(of=("self",)).select_related("guarantee").get(pk=request.pk)
    if req.status != AmendmentRequestStatus.PENDING:
        raise InvalidStateError(f"この変更申請は「{req.get_status_display()}」のため、この操作はできません。")
    return req


@transaction.atomic
def amendment_request_approve(*, request: AmendmentRequest, by: User, now: dt.datetime) -> AmendmentRequest:
    """Another approver performs the change: rules again, new version or moved period, premium, mails."""
    req = _lock_pending(request)
    g = lock_guarantee(req.guarantee)
    # Four eyes: the person who entered the change cannot approve it.
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=req.entered_by_id)
    require_guarantee_active(g, "変更")
    violations = amendment_check(
        guarantee=g,
        amendment_type=req.amendment_type,
        contract_price=req.contract_price,
        guaranteed_amount=req.guaranteed_amount,
        completion_date=req.completion_date,
    )
    if violations:
        raise DomainError("変更後の内容が現在の保証契約に対して誤りがあります。", violations)
    before = _before(g)
    statement: PremiumStatement | None = None
    changes: list[dict[str, str]]
    if req.amendment_type == AmendmentType.AMOUNT:
        assert req.contract_price is not None and req.guaranteed_amount is not None  # checked above
        amendment = _amend_amount(
            guarantee=g,
            by=by,
            contract_price=req.contract_price,
            guaranteed_amount=req.guaranteed_amount,
            effective_on=req.effective_on,
            reason=req.reason,
            now=now,
        )
        g.refresh_from_db()
        statement = premium_difference_statement(
            g=g,
            before_amount=before["guaranteed_amount"],
            after_amount=g.guaranteed_amount,
            on=business_date(now),
            now=now,
        )
        changes = [
            {
                "label": "請負金額(総額)",
                "before": f"{format_yen(before['contract_price'])}円",
                "after": f"{format_yen(g.contract_price)}円",
            },
            {
                "label": "保証金額",
                "before": f"{format_yen(before['guaranteed_amount'])}円",
                "after": f"{format_yen(g.guaranteed_amount)}円",
            },
        ]
    else:
        assert req.completion_date is not None  # checked above
        amendment = _change_period(
            guarantee=g,
            by=by,
            completion_date=req.completion_date,
            effective_on=req.effective_on,
            reason=req.reason,
            now=now,
        )
        g.refresh_from_db()
        old_end = dt.date.fromisoformat(before["completion_date"])
        changes = [
            {
                "label": "工事末日・保証期間",
                "before": format_wareki(old_end, padded=False),
                "after": format_wareki(g.completion_date, padded=False),
            }
        ]
    # The entry's before is the guarantee's terms the change was approved on.
    audited_change(
        req,
        by=by,
        now=now,
        action="amendment_request.approve",
        changes={
            "status": AmendmentRequestStatus.APPROVED,
            "decided_by": by,
            "decided_at": now,
            "amendment": amendment,
        },
        snapshot=amendment_request_snapshot,
        surety_id=g.surety_id,
        before=before,
        after_extra={
            "version": g.current_version,
            "statement": statement.number if statement else None,
            "statement_amount": statement.amount if statement else None,
        },
    )
    notify_parties(
        g=g,
        template="guarantee_amended",
        context={
            "is_amount": req.amendment_type == AmendmentType.AMOUNT,
            "changes": changes,
            "effective_on": format_wareki(req.effective_on, padded=False),
            "version": g.current_version,
            "reason": req.reason,
        },
        now=now,
    )
    return req


@transaction.atomic
def amendment_request_reject(*, request: AmendmentRequest, by: User, reason: str, now: dt.datetime) -> AmendmentRequest:
    """却下 by an approver, or withdrawal by the person who entered it; the guarantee is untouched."""
    req = _lock_pending(request)
    g = req.guarantee
    require_approver_or_entrant(by, surety=g.surety, branch=g.branch, entered_by_id=req.entered_by_id)
    reason = reason.strip()
    if not reason:
        raise DomainError("却下の理由を入力してください。", [RuleViolation("reason", "却下の理由を入力してください。")])
    return audited_change(
        req,
        by=by,
        now=now,
        action="amendment_request.reject",
        changes={
            "status": AmendmentRequestStatus.REJECTED,
            "decided_by": by,
            "decided_at": now,
            "rejection_reason": reason,
        },
        snapshot=amendment_request_snapshot,
        surety_id=g.surety_id,
        after_extra={"rejection_reason": reason},
    )
