"""The rules of the end of a guarantee, as pure functions (no database).

Sources (public): the sureties' 前払金保証約款 and their explanation pages (保証金 = advances paid −
value of the work done, capped at the advances; the two examples below are a surety's own), the
standard contract for public works (公共工事標準請負契約約款: 違約金 10/100 of the price; after a
price cut the advance above 5/10 of the reduced price is returned within 30 days). Numbers that
vary between sureties or orderers (the penalty ratio, the price-cut ratio, claim deadlines,
documents, the refund rule) come in as arguments: they are data with effective dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.core.money import floor_to_unit, fraction_of

DEFAULT_PENALTY = (10, 100)
DEFAULT_PRICE_CUT_RATIO = (5, 10)
DEFAULT_PRICE_CUT_REFUND_DAYS = 30


@dataclass(frozen=True)
class Line:
    """One line of a computation as the claims desk shows it: label, sign, amount."""

    label: str
    amount: int
    sign: str = ""  # "+", "−", "=" or "" (a limit)


@dataclass(frozen=True)
class Payout:
    amount: int
    lines: tuple[Line, ...]


def advance_payout(
    *,
    advance_paid: int,
    interim_advance_paid: int,
    progress_paid: int,
    work_done_value: int,
    includes_progress: bool,
    guaranteed_amount: int | None = None,
) -> Payout:
    """保証金 of a 前払金保証 claim: what the orderer paid in advance (plus 出来形払 where the
    surety's terms count it) less the value of the work done, never negative, never above the
    advances (前払金 + 中間前払金) nor above the guaranteed amount.

    10,000,000円 contract, 4,000,000円 advance, 15% done: 4,000,000 − 1,500,000 = 2,500,000.
    45% done with 2,000,000円 paid as 出来形払: 4,000,000 + 2,000,000 − 4,500,000 = 1,500,000.
    """
    for name, value in (
        ("advance_paid", advance_paid),
        ("interim_advance_paid", interim_advance_paid),
        ("progress_paid", progress_paid),
        ("work_done_value", work_done_value),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative")
    advances = advance_paid + interim_advance_paid
    lines = [Line("前払金", advance_paid, "+"), Line("中間前払金", interim_advance_paid, "+")]
    paid = advances
    if includes_progress:
        lines.append(Line("出来形払（部分払）", progress_paid, "+"))
        paid += progress_paid
    lines.append(Line("既済部分の代価", work_done_value, "−"))
    raw = paid - work_done_value
    lines.append(Line("差引", raw, "="))
    amount = max(0, raw)
    if raw < 0:
        lines.append(Line("既済部分の代価が支払済の額以上のため", 0, "="))
    limit = advances
    limit_label = "上限: 前払金・中間前払金の額"
    if guaranteed_amount is not None and guaranteed_amount < limit:
        limit, limit_label = max(0, guaranteed_amount), "上限: 保証金額"
    if amount > limit:
        lines.append(Line(limit_label, limit))
        amount = limit
    lines.append(Line("保証金", amount, "="))
    return Payout(amount, tuple(lines))


def penalty_payout(*, contract_price: int, numerator: int, denominator: int, guaranteed_amount: int) -> Payout:
    """違約金 of a 契約保証 claim: the contract's ratio of the price (10/100 typically), up to the
    guaranteed amount."""
    if denominator <= 0 or numerator < 0 or contract_price < 0:
        raise ValueError("price and ratio must be non-negative, the denominator positive")
    penalty = fraction_of(contract_price, numerator, denominator)
    lines = [
        Line("請負金額(総額)", contract_price),
        Line(f"違約金（{denominator}分の{numerator}）", penalty, "="),
    ]
    amount = penalty
    cap = max(0, guaranteed_amount)
    if penalty > cap:
        lines.append(Line("上限: 保証金額", cap))
        amount = cap
    lines.append(Line("保証金", amount, "="))
    return Payout(amount, tuple(lines))


@dataclass(frozen=True)
class PriceCutRefund:
    reduced_price: int
    limit: int
    advance_received: int
    excess: int
    deadline: dt.date


def price_cut_refund(
    *,
    advance_received: int,
    reduced_price: int,
    cut_on: dt.date,
    numerator: int = DEFAULT_PRICE_CUT_RATIO[0],
    denominator: int = DEFAULT_PRICE_CUT_RATIO[1],
    days: int = DEFAULT_PRICE_CUT_REFUND_DAYS,
) -> PriceCutRefund:
    """After 請負代金の減額: what of the advance received exceeds the orderer's ratio of the
    reduced price (5/10 unless it says otherwise) is returned within ``days`` of the cut."""
    limit = fraction_of(max(0, reduced_price), numerator, denominator)
    excess = max(0, advance_received - limit)
    return PriceCutRefund(
        reduced_price=reduced_price,
        limit=limit,
        advance_received=advance_received,
        excess=excess,
        deadline=cut_on + dt.timedelta(days=days),
    )


@dataclass(frozen=True)
class Refund:
    amount: int
    total_days: int
    remaining_days: int
    lines: tuple[Line, ...]


def cancellation_refund(
    *,
    premium: int,
    starts_on: dt.date,
    ends_on: dt.date,
    cancelled_on: dt.date,
    fee: int,
    rounding_unit: int,
) -> Refund:
    """保証料返還 on cancellation under a surety's rule: the premium's share of the days not yet
    run, less the rule's fee, cut to the rule's unit, never negative nor above the premium."""
    total = max(1, (ends_on - starts_on).days + 1)
    remaining = min(total, max(0, (ends_on - cancelled_on).days))
    share = fraction_of(max(0, premium), remaining, total)
    amount = max(0, floor_to_unit(max(0, share - fee), rounding_unit))
    lines = (
        Line("保証料", premium),
        Line(f"未経過日数 {remaining}日 ／ 保証期間 {total}日", share, "="),
        Line("返還手数料", fee, "−"),
        Line(f"{rounding_unit:,}円未満切捨", amount, "="),
    )
    return Refund(amount=min(amount, max(0, premium)), total_days=total, remaining_days=remaining, lines=lines)


def claim_deadline(*, termination_date: dt.date, filing_deadline_days: int | None) -> dt.date | None:
    """The last day to claim under the surety's terms, or None where they set none."""
    if filing_deadline_days is None:
        return None
    return termination_date + dt.timedelta(days=filing_deadline_days)
