"""The back office's part of the lifecycle: 変更申請 with four eyes, 解約, 満了, key reissue, rate tables.

Each function is one atomic step with its audit entry; e-mails are queued in
the outbox inside the same transaction, so a mail exists iff the change did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.clock import now as clock_now
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantee_event_publish as webhook_event_publish
from esurety.guarantees.models import (
    AccessKey,
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Guarantee,
    GuaranteeStatus,
    PremiumRate,
    PremiumStatement,
    StatementType,
)
from esurety.guarantees.premiums import premium_quote
from esurety.guarantees.services.amendments import (
    _check as amended_terms_check,
)
from esurety.guarantees.services.amendments import (
    _rider_checks,
    guarantee_amend_amount,
    guarantee_change_period,
)
from esurety.guarantees.services.authority import NotPermitted, require_approver, require_staff
from esurety.guarantees.services.issuance import access_key_create, contractor_recipients
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Role, User

# ---------------------------------------------------------------------------
# helpers


def _lock_guarantee(guarantee: Guarantee) -> Guarantee:
    # Row lock: a reissue, a cancellation and an approval on the same guarantee run one after another.
    # of=("self",): only the guarantee row is locked (PostgreSQL refuses FOR UPDATE on the
    # nullable side of the advance_guarantee outer join).
    return (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("surety", "branch", "contractor", "orderer", "advance_guarantee")
        .get(pk=guarantee.pk)
    )


def _require_active(g: Guarantee, action: str) -> None:
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため{action}できません。")


def _common_context(g: Guarantee) -> dict[str, Any]:
    return {
        "surety_name": g.surety.name,
        "contractor_name": g.contractor.name,
        "orderer_name": g.orderer.name,
        "kind_full_name": g.kind_full_name,
        "number": g.number,
        "work_name": g.work_name,
    }


@dataclass(frozen=True)
class OrdererRecipient:
    """Where one orderer that verified the guarantee is told about a change."""

    orderer_name: str
    department_name: str
    address: str


def receipt_orderer_recipients(guarantee: Guarantee) -> list[OrdererRecipient]:
    """Each orderer organisation that verified the guarantee, through its departments for the kind.

    An orderer with no department for this kind is told through the person who
    first verified the certificate, so no orderer who holds it is left uninformed.
    """
    out: list[OrdererRecipient] = []
    receipts = guarantee.receipts.select_related("orderer", "first_verified_by").order_by("first_verified_at")
    for receipt in receipts:
        orderer = receipt.orderer
        departments = [d for d in orderer.departments.order_by("name") if d.handles(guarantee.kind) and d.email]
        if departments:
            out.extend(OrdererRecipient(orderer.name, d.name, d.email) for d in departments)
        else:
            person = receipt.first_verified_by
            if person.is_active and person.email:
                out.append(OrdererRecipient(orderer.name, person.display_name or "ご担当者", person.email))
    return out


def _notify_parties(*, g: Guarantee, template: str, context: dict[str, Any], now: dt.datetime) -> int:
    """One message per address (no recipient sees another's): contractor users, then orderers."""
    sent = 0
    base = {**_common_context(g), **context}
    for address in contractor_recipients(g):
        outbox_enqueue(
            template=template,
            to=[address],
            context={**base, "for_orderer": False, "recipient_name": f"{g.contractor.name} 様"},
            at=now,
            obj=g,
        )
        sent += 1
    for r in receipt_orderer_recipients(g):
        outbox_enqueue(
            template=template,
            to=[r.address],
            context={**base, "for_orderer": True, "recipient_name": f"{r.orderer_name} {r.department_name} 御中"},
            at=now,
            obj=g,
        )
        sent += 1
    return sent


# ---------------------------------------------------------------------------
# 変更申請 (four eyes)


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
        violations = amended_terms_check(
            g, price=contract_price, amount=guaranteed_amount, completion=g.completion_date
        )
        return violations + _rider_checks(g, new_advance_amount=guaranteed_amount)
    if amendment_type == AmendmentType.PERIOD:
        if completion_date is None:
            return [RuleViolation("completion_date", "変更後の工事末日を入力してください。")]
        if completion_date == g.completion_date:
            return [RuleViolation("completion_date", "工事末日が変わっていません。")]
        return amended_terms_check(g, price=g.contract_price, amount=g.guaranteed_amount, completion=completion_date)
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
    g = _lock_guarantee(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    _require_active(g, "変更")
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
    req = AmendmentRequest.objects.create(
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
    audit_record(
        actor=by,
        action="amendment_request.create",
        obj=req,
        at=now,
        before=req.before,
        after=amendment_request_snapshot(req),
        surety_id=g.surety_id,
    )
    return req


def _lock_pending(request: AmendmentRequest) -> AmendmentRequest:
    req = AmendmentRequest.objects.select_for_update(of=("self",)).select_related("guarantee").get(pk=request.pk)
    if req.status != AmendmentRequestStatus.PENDING:
        raise InvalidStateError(f"この変更申請は「{req.get_status_display()}」のため、この操作はできません。")
    return req


def _statement_number(g: Guarantee, statement_type: str) -> str:
    prefix = "R" if statement_type == StatementType.PREMIUM_RECEIPT else "H"
    n = PremiumStatement.objects.filter(guarantee=g, statement_type=statement_type).count() + 1
    # The guarantee row is locked, so nobody else numbers this guarantee's statements meanwhile;
    # the loop only skips numbers taken by imports or by hand.
    while PremiumStatement.objects.filter(number=f"{prefix}{g.number}-{n}").exists():
        n += 1
    return f"{prefix}{g.number}-{n}"


def premium_difference_statement(
    *, g: Guarantee, before_amount: int, after_amount: int, on: dt.date, now: dt.datetime
) -> PremiumStatement | None:
    """追加保証料 (保証料領収書(計算書)) or 返還計算書 for a change of the guaranteed amount.

    Both premiums are quoted at the rate and over the days the guarantee was
    concluded with, so the difference is due to the amount alone.
    """
    old = premium_quote(
        surety=g.surety, kind=g.kind, guaranteed_amount=before_amount, start=g.contract_date, end=g.period_end
    )
    new = premium_quote(
        surety=g.surety, kind=g.kind, guaranteed_amount=after_amount, start=g.contract_date, end=g.period_end
    )
    difference = new.amount - old.amount
    if difference == 0:
        return None
    statement_type = StatementType.PREMIUM_RECEIPT if difference > 0 else StatementType.REFUND
    label = "追加保証料" if difference > 0 else "返還保証料"
    breakdown: dict[str, Any] = {
        "basis": "amount_change",
        "annual_rate": str(new.annual_rate),
        "days": new.days,
        "minimum_premium": new.minimum_premium,
        "before": old.breakdown(guaranteed_amount=before_amount),
        "after": new.breakdown(guaranteed_amount=after_amount),
        "previous_premium": old.amount,
        "new_premium": new.amount,
        "difference": abs(difference),
        "formula": (
            f"変更後の保証料 {format_yen(new.amount)}円（保証金額 {format_yen(after_amount)}円）− "
            f"変更前の保証料 {format_yen(old.amount)}円（保証金額 {format_yen(before_amount)}円）"
            f"＝ {label} {format_yen(abs(difference))}円（同じ年率・保証日数で計算）"
        ),
        "tax": "非課税",
        "is_sample": new.is_sample,
    }
    return PremiumStatement.objects.create(
        number=_statement_number(g, statement_type),
        statement_type=statement_type,
        guarantee=g,
        issued_on=on,
        amount=abs(difference),
        counterparty_name=g.contractor.name,
        breakdown=breakdown,
        is_sample_rate=new.is_sample,
        created_at=now,
    )


@transaction.atomic
def amendment_request_approve(*, request: AmendmentRequest, by: User, now: dt.datetime) -> AmendmentRequest:
    """Another approver performs the change: rules again, new version or moved period, premium, mails."""
    req = _lock_pending(request)
    g = _lock_guarantee(req.guarantee)
    # Four eyes: the person who entered the change cannot approve it.
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=req.entered_by_id)
    _require_active(g, "変更")
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
        amendment = guarantee_amend_amount(
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
        amendment = guarantee_change_period(
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
    req.status = AmendmentRequestStatus.APPROVED
    req.decided_by = by
    req.decided_at = now
    req.amendment = amendment
    req.save(update_fields=["status", "decided_by", "decided_at", "amendment", "updated_at"])
    audit_record(
        actor=by,
        action="amendment_request.approve",
        obj=req,
        at=now,
        before=before,
        after={
            **amendment_request_snapshot(req),
            "version": g.current_version,
            "statement": statement.number if statement else None,
            "statement_amount": statement.amount if statement else None,
        },
        surety_id=g.surety_id,
    )
    _notify_parties(
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
    if by.pk == req.entered_by_id:
        require_staff(by, surety=g.surety, branch=g.branch)
    else:
        require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=None)
    reason = reason.strip()
    if not reason:
        raise DomainError("却下の理由を入力してください。", [RuleViolation("reason", "却下の理由を入力してください。")])
    before = amendment_request_snapshot(req)
    req.status = AmendmentRequestStatus.REJECTED
    req.decided_by = by
    req.decided_at = now
    req.rejection_reason = reason
    req.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"])
    audit_record(
        actor=by,
        action="amendment_request.reject",
        obj=req,
        at=now,
        before=before,
        after={**amendment_request_snapshot(req), "rejection_reason": reason},
        surety_id=g.surety_id,
    )
    return req


# ---------------------------------------------------------------------------
# 解約 and 満了


@transaction.atomic
def guarantee_cancel(*, guarantee: Guarantee, by: User, reason: str, now: dt.datetime) -> Guarantee:
    """解約. The key keeps working: an orderer who checks must see that the guarantee is cancelled.

    No refund is computed: the premium rules for an early end are not public
    and differ per surety, so a 返還計算書 is left to a later, explicit step.
    """
    g = _lock_guarantee(guarantee)
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=None)
    _require_active(g, "解約")
    reason = reason.strip()
    if not reason:
        raise DomainError("解約の理由を入力してください。", [RuleViolation("reason", "解約の理由を入力してください。")])
    riders = list(g.riders.filter(status=GuaranteeStatus.ACTIVE).values_list("number", flat=True))
    if riders:
        # An interim or performance guarantee is a rider of the advance guarantee on the same works.
        raise InvalidStateError(
            f"この前払金保証に付随する有効な保証契約（{'、'.join(riders)}）があります。先にそちらを解約してください。"
        )
    before = {"status": g.status, "cancelled_at": None}
    g.status = GuaranteeStatus.CANCELLED
    g.cancelled_at = now
    g.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=by,
        action="guarantee.cancel",
        obj=g,
        at=now,
        before=before,
        after={"status": g.status, "cancelled_at": now.isoformat(), "reason": reason},
        surety_id=g.surety_id,
    )
    webhook_event_publish(event="cancelled", guarantee=g, now=now, extra={"cancelled_at": now, "reason": reason})
    _notify_parties(
        g=g,
        template="guarantee_cancelled",
        context={"cancelled_on": format_wareki(business_date(now), padded=False), "reason": reason},
        now=now,
    )
    return g


EXPIRY_BATCH = 500


def guarantees_expire_due(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """ACTIVE guarantees whose period ended before ``today`` become 保証期間満了; returns how many.

    Batches keep each transaction short on millions of rows; each guarantee gets
    its own audit entry. Safe to run twice or in two processes at once: rows are
    locked and re-checked, so none is expired (or audited) twice.
    """
    at = now or clock_now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Guarantee.objects.select_for_update()
                .filter(status=GuaranteeStatus.ACTIVE, period_end__lt=today)
                .order_by("period_end", "pk")[:EXPIRY_BATCH]
            )
            for g in batch:
                g.status = GuaranteeStatus.EXPIRED
                g.save(update_fields=["status", "updated_at"])
                audit_record(
                    actor=None,
                    action="guarantee.expire",
                    obj=g,
                    at=at,
                    before={"status": GuaranteeStatus.ACTIVE},
                    after={"status": GuaranteeStatus.EXPIRED, "period_end": g.period_end.isoformat()},
                    surety_id=g.surety_id,
                )
        done += len(batch)
        if len(batch) < EXPIRY_BATCH:
            return done


# ---------------------------------------------------------------------------
# 認証キー再発行


@transaction.atomic
def access_key_reissue(*, guarantee: Guarantee, by: User, now: dt.datetime) -> AccessKey:
    """Revoke the active key at once and create a new one; the contractor reads it in the portal.

    Orderers who already verified keep their access: receipts belong to the
    orderer organisation, not to a key. Neither the staff nor the mail ever see
    the new key.
    """
    g = _lock_guarantee(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if g.delivery_method != DeliveryMethod.ELECTRONIC:
        raise InvalidStateError(f"保証契約 {g.number} は書面交付のため、認証キーはありません。")
    _require_active(g, "認証キーを再発行")
    old = list(AccessKey.objects.select_for_update().filter(guarantee=g, revoked_at__isnull=True))
    AccessKey.objects.filter(pk__in=[k.pk for k in old]).update(revoked_at=now)
    access_key_create(guarantee=g, by=by, now=now)
    new = AccessKey.objects.get(guarantee=g, revoked_at__isnull=True)
    audit_record(
        actor=by,
        action="access_key.reissue",
        obj=g,
        at=now,
        before={"key_ids": [k.pk for k in old]},
        after={"key_id": new.pk, "number": g.number},
        surety_id=g.surety_id,
    )
    context = {**_common_context(g), "reissued_on": format_wareki(business_date(now), padded=False)}
    for address in contractor_recipients(g):
        outbox_enqueue(template="access_key_reissued", to=[address], context=context, at=now, obj=g)
    return new


# ---------------------------------------------------------------------------
# 保証料率


RATE_DECIMAL_PLACES = 6  # PremiumRate.annual_rate


def _parse_rate(value: Decimal | str) -> Decimal | None:
    """The annual rate if it is a number in (0, 1) with at most six decimals, else None."""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not rate.is_finite() or not Decimal(0) < rate < Decimal(1):
        return None
    exponent = rate.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -RATE_DECIMAL_PLACES:
        return None
    return rate.quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES))


def can_manage_rates(user: User) -> bool:
    return user.is_active and user.surety_id is not None and user.role == Role.SURETY_ADMIN


@transaction.atomic
def premium_rate_create(
    *,
    by: User,
    kind: str,
    effective_from: dt.date,
    annual_rate: Decimal | str,
    minimum_premium: int,
    is_sample: bool,
    now: dt.datetime,
) -> PremiumRate:
    """A new rate of ``by``'s surety for one kind, from a date (管理者 only; never retroactive)."""
    if not can_manage_rates(by) or by.surety is None:
        raise NotPermitted("保証料率の登録は管理者のみ行えます。")
    surety = by.surety
    violations: list[RuleViolation] = []
    if kind not in GuaranteeKind.values:
        violations.append(RuleViolation("kind", "区分を選んでください。"))
    rate = _parse_rate(annual_rate)
    if rate is None:
        violations.append(
            RuleViolation(
                "annual_rate", "年率は0より大きく1未満の小数（小数点以下6桁まで、例: 0.0012）で入力してください。"
            )
        )
    if minimum_premium < 0:
        violations.append(RuleViolation("minimum_premium", "最低保証料は0円以上で入力してください。"))
    today = business_date(now)
    if effective_from < today:
        # Approved premiums were quoted from the table in force; rewriting the past would
        # make statements already issued disagree with the table.
        violations.append(
            RuleViolation(
                "effective_from", f"適用開始日は本日（{format_wareki(today, padded=False)}）以降にしてください。"
            )
        )
    if (
        kind in GuaranteeKind.values
        and PremiumRate.objects.filter(surety=surety, kind=kind, effective_from=effective_from).exists()
    ):
        violations.append(RuleViolation("effective_from", "同じ区分・適用開始日の料率が既に登録されています。"))
    if violations or rate is None:
        raise DomainError("入力に誤りがあります。", violations)
    rate_row = PremiumRate.objects.create(
        surety=surety,
        kind=kind,
        effective_from=effective_from,
        annual_rate=rate,
        minimum_premium=minimum_premium,
        is_sample=is_sample,
    )
    audit_record(
        actor=by,
        action="premium_rate.create",
        obj=rate_row,
        at=now,
        after={
            "kind": kind,
            "effective_from": effective_from.isoformat(),
            "annual_rate": str(rate),
            "minimum_premium": minimum_premium,
            "is_sample": is_sample,
        },
        surety_id=surety.pk,
    )
    return rate_row
