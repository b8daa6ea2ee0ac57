"""保証料率: a surety's 管理者 adds a rate for one kind from a date (never retroactive)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from esurety.audit.changes import audited_create
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, NotPermitted, RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import PremiumRate
from esurety.parties.models import User
from esurety.parties.permissions import can_manage_rates

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


def premium_rate_snapshot(rate: PremiumRate) -> dict[str, Any]:
    return {
        "kind": rate.kind,
        "effective_from": rate.effective_from.isoformat(),
        "annual_rate": str(rate.annual_rate),
        "minimum_premium": rate.minimum_premium,
        "is_sample": rate.is_sample,
    }


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
    rate_row = PremiumRate(
        surety=surety,
        kind=kind,
        effective_from=effective_from,
        annual_rate=rate,
        minimum_premium=minimum_premium,
        is_sample=is_sample,
    )
    return audited_create(
        rate_row, by=by, now=now, action="premium_rate.create", snapshot=premium_rate_snapshot, surety_id=surety.pk
    )
