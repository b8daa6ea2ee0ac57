"""Premium computation from per-surety rate tables (real tables are unpublished)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from esurety.core.errors import DomainError
from esurety.guarantees.models import PremiumRate
from esurety.parties.models import SuretyCompany


@dataclass(frozen=True)
class PremiumQuote:
    amount: int
    annual_rate: Decimal
    days: int
    minimum_premium: int
    is_sample: bool

    def breakdown(self, *, guaranteed_amount: int) -> dict[str, object]:
        return {
            "guaranteed_amount": guaranteed_amount,
            "annual_rate": str(self.annual_rate),
            "days": self.days,
            "minimum_premium": self.minimum_premium,
            "premium": self.amount,
            "formula": "保証金額 × 年率 × 保証日数 ÷ 365（円未満切捨て、最低保証料あり）",
            "tax": "非課税",
            "is_sample": self.is_sample,
        }


def premium_rate_for(*, surety: SuretyCompany, kind: str, on: dt.date) -> PremiumRate:
    rate = (
        PremiumRate.objects.filter(surety=surety, kind=kind, effective_from__lte=on).order_by("-effective_from").first()
    )
    if rate is None:
        raise DomainError(f"{surety.name}の保証料率（{on.isoformat()}時点）が登録されていません。")
    return rate


def premium_quote(
    *, surety: SuretyCompany, kind: str, guaranteed_amount: int, start: dt.date, end: dt.date
) -> PremiumQuote:
    rate = premium_rate_for(surety=surety, kind=kind, on=start)
    days = (end - start).days + 1
    raw = (Decimal(guaranteed_amount) * rate.annual_rate * Decimal(days) / Decimal(365)).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    amount = max(int(raw), rate.minimum_premium)
    return PremiumQuote(
        amount=amount,
        annual_rate=rate.annual_rate,
        days=days,
        minimum_premium=rate.minimum_premium,
        is_sample=rate.is_sample,
    )
