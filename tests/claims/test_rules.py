"""The payout rules at their limits (pure functions, no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from esurety.claims.rules import advance_payout, cancellation_refund, penalty_payout, price_cut_refund

YEN = st.integers(min_value=0, max_value=10**12)


def test_the_sureties_first_example_15_percent_done_pays_2_500_000() -> None:
    # 10,000,000円 contract, 4,000,000円 advance, 15% of the works done.
    payout = advance_payout(
        advance_paid=4_000_000,
        interim_advance_paid=0,
        progress_paid=0,
        work_done_value=1_500_000,
        includes_progress=False,
    )
    assert payout.amount == 2_500_000
    assert [(line.label, line.amount) for line in payout.lines][-1] == ("保証金", 2_500_000)


def test_the_sureties_second_example_45_percent_done_after_a_progress_payment_pays_1_500_000() -> None:
    payout = advance_payout(
        advance_paid=4_000_000,
        interim_advance_paid=0,
        progress_paid=2_000_000,
        work_done_value=4_500_000,
        includes_progress=True,
    )
    assert payout.amount == 1_500_000
    assert ("出来形払（部分払）", 2_000_000) in [(line.label, line.amount) for line in payout.lines]


@given(advance=YEN, interim=YEN, progress=YEN, done=YEN, includes=st.booleans())
def test_payout_is_never_negative_nor_above_the_advances(
    advance: int, interim: int, progress: int, done: int, includes: bool
) -> None:
    payout = advance_payout(
        advance_paid=advance,
        interim_advance_paid=interim,
        progress_paid=progress,
        work_done_value=done,
        includes_progress=includes,
    )
    assert 0 <= payout.amount <= advance + interim


@given(advance=YEN, interim=YEN, extra=YEN)
def test_work_done_above_the_advances_pays_nothing(advance: int, interim: int, extra: int) -> None:
    payout = advance_payout(
        advance_paid=advance,
        interim_advance_paid=interim,
        progress_paid=0,
        work_done_value=advance + interim + extra,
        includes_progress=False,
    )
    assert payout.amount == 0


@given(advance=YEN, done=YEN, guaranteed=YEN)
def test_payout_never_exceeds_the_guaranteed_amount(advance: int, done: int, guaranteed: int) -> None:
    payout = advance_payout(
        advance_paid=advance,
        interim_advance_paid=0,
        progress_paid=0,
        work_done_value=done,
        includes_progress=False,
        guaranteed_amount=guaranteed,
    )
    assert payout.amount <= guaranteed


@given(
    price=YEN,
    guaranteed=YEN,
    ratio=st.tuples(st.integers(0, 100), st.integers(1, 100)).filter(lambda r: r[0] <= r[1]),
)
def test_the_penalty_is_capped_at_the_guaranteed_amount(price: int, guaranteed: int, ratio: tuple[int, int]) -> None:
    payout = penalty_payout(
        contract_price=price, numerator=ratio[0], denominator=ratio[1], guaranteed_amount=guaranteed
    )
    assert 0 <= payout.amount <= guaranteed
    assert payout.amount == min(price * ratio[0] // ratio[1], guaranteed)


def test_the_penalty_is_a_tenth_of_the_price_by_default_contract() -> None:
    payout = penalty_payout(contract_price=100_000_000, numerator=10, denominator=100, guaranteed_amount=30_000_000)
    assert payout.amount == 10_000_000


def test_a_price_cut_leaves_the_excess_over_half_the_reduced_price_to_return_within_30_days() -> None:
    refund = price_cut_refund(advance_received=40_000_000, reduced_price=70_000_000, cut_on=dt.date(2026, 8, 1))
    assert refund.limit == 35_000_000
    assert refund.excess == 5_000_000
    assert refund.deadline == dt.date(2026, 8, 31)
    # An orderer with 4/10 as its ratio.
    stricter = price_cut_refund(
        advance_received=40_000_000, reduced_price=90_000_000, cut_on=dt.date(2026, 8, 1), numerator=4, denominator=10
    )
    assert stricter.excess == 4_000_000


@given(received=YEN, reduced=YEN)
def test_a_price_cut_never_asks_a_negative_refund(received: int, reduced: int) -> None:
    refund = price_cut_refund(advance_received=received, reduced_price=reduced, cut_on=dt.date(2026, 8, 1))
    assert 0 <= refund.excess <= received


@given(
    premium=st.integers(0, 10**9),
    days=st.integers(0, 2000),
    at=st.integers(-100, 2100),
    fee=st.integers(0, 10**6),
    unit=st.sampled_from([1, 10, 100, 1000]),
)
def test_a_cancellation_refund_stays_between_nothing_and_the_premium(
    premium: int, days: int, at: int, fee: int, unit: int
) -> None:
    start = dt.date(2026, 4, 1)
    refund = cancellation_refund(
        premium=premium,
        starts_on=start,
        ends_on=start + dt.timedelta(days=days),
        cancelled_on=start + dt.timedelta(days=at),
        fee=fee,
        rounding_unit=unit,
    )
    assert 0 <= refund.amount <= premium
    assert refund.amount % unit == 0


def test_a_cancellation_half_way_refunds_half_less_the_fee_cut_to_100_yen() -> None:
    refund = cancellation_refund(
        premium=120_000,
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 4, 30),
        cancelled_on=dt.date(2026, 4, 15),
        fee=1_000,
        rounding_unit=100,
    )
    # 15 of 30 days not yet run: 60,000 − 1,000 = 59,000.
    assert refund.remaining_days == 15 and refund.total_days == 30
    assert refund.amount == 59_000
