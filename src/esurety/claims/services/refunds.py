"""解約 with its 保証料返還計算書: the guarantee is cancelled and, where the surety has a refund rule
in force, the unexpired share of the premium is refunded by a statement in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from esurety.audit.services import audit_record
from esurety.claims.rules import cancellation_refund
from esurety.claims.terms import refund_rule_on
from esurety.core.clock import business_date
from esurety.core.money import format_yen
from esurety.guarantees.models import Guarantee, PremiumStatement, StatementType
from esurety.guarantees.services import guarantee_cancel
from esurety.parties.models import User


def _premium_paid(g: Guarantee) -> int:
    """What the contractor paid and still has: receipts less what earlier statements refunded."""
    sums = {
        row["statement_type"]: row["total"] or 0
        for row in PremiumStatement.objects.filter(guarantee=g).values("statement_type").annotate(total=Sum("amount"))
    }
    return max(0, sums.get(StatementType.PREMIUM_RECEIPT, 0) - sums.get(StatementType.REFUND, 0))


def _number(g: Guarantee) -> str:
    n = PremiumStatement.objects.filter(guarantee=g, statement_type=StatementType.REFUND).count() + 1
    while PremiumStatement.objects.filter(number=f"H{g.number}-{n}").exists():
        n += 1
    return f"H{g.number}-{n}"


@transaction.atomic
def guarantee_cancel_with_refund(
    *, guarantee: Guarantee, by: User, reason: str, now: dt.datetime
) -> tuple[Guarantee, PremiumStatement | None]:
    """解約 (guarantees' guarantee_cancel: approver, state, riders, mail, webhook), then the refund.

    No statement when the surety has no refund rule in force (the rules are not public: each
    surety enters its own), or when nothing is left to refund.
    """
    g = guarantee_cancel(guarantee=guarantee, by=by, reason=reason, now=now)
    today = business_date(now)
    rule = refund_rule_on(surety_id=g.surety_id, on=today)
    premium = _premium_paid(g)
    if rule is None or premium <= 0:
        return g, None
    refund = cancellation_refund(
        premium=premium,
        starts_on=g.contract_date,
        ends_on=g.period_end,
        cancelled_on=today,
        fee=rule.fee,
        rounding_unit=rule.rounding_unit,
    )
    if refund.amount <= 0:
        return g, None
    statement = PremiumStatement.objects.create(
        number=_number(g),
        statement_type=StatementType.REFUND,
        guarantee=g,
        issued_on=today,
        amount=refund.amount,
        counterparty_name=g.contractor.name,
        breakdown={
            "basis": "cancellation",
            "premium": premium,
            "days": refund.total_days,
            "remaining_days": refund.remaining_days,
            "fee": rule.fee,
            "formula": (
                f"保証料 {format_yen(premium)}円 × 未経過日数 {refund.remaining_days}日"
                f" ÷ 保証日数 {refund.total_days}日"
                f" − 返還手数料 {format_yen(rule.fee)}円（{rule.rounding_unit:,}円未満切捨）"
                f"＝ 返還保証料 {format_yen(refund.amount)}円"
            ),
            "tax": "非課税",
            "is_sample": rule.is_sample,
        },
        is_sample_rate=rule.is_sample,
        created_at=now,
    )
    audit_record(
        actor=by,
        action="premium_statement.refund",
        obj=statement,
        at=now,
        after={"number": g.number, "statement": statement.number, "amount": refund.amount, "basis": "cancellation"},
        surety_id=g.surety_id,
    )
    return g, statement
