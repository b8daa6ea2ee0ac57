"""Premium statements after conclusion: the 追加保証料 (保証料領収書(計算書)) or 返還計算書 of a change of
the guaranteed amount, numbered after the guarantee's earlier statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from esurety.core.money import format_yen
from esurety.guarantees.models import Guarantee, PremiumStatement, StatementType
from esurety.guarantees.premiums import premium_quote


def statement_number(g: Guarantee, statement_type: str) -> str:
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
        number=statement_number(g, statement_type),
        statement_type=statement_type,
        guarantee=g,
        issued_on=on,
        amount=abs(difference),
        counterparty_name=g.contractor.name,
        breakdown=breakdown,
        is_sample_rate=new.is_sample,
        created_at=now,
    )
