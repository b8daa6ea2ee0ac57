"""The rules at their limits through the services and the database (SQLite and PostgreSQL alike).

test_rules.py checks the pure rules; these check that the services apply them to
what the database holds (the guarantee's amount, the orderer's allowance, what
each line has paid and has waiting, the account's state) and that a refusal
writes nothing. Each example runs in a savepoint rolled back at its end, over
one world built per test (building a guarantee takes every application step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import example, given, settings
from hypothesis import strategies as st

from esurety.advances import services as advances
from esurety.advances.kinds import StatementStatus, WithdrawalStatus
from esurety.advances.models import OverheadAllowance, UseStatement, Withdrawal
from esurety.core.errors import DomainError, InvalidStateError
from esurety.guarantees.models import Guarantee
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    AdvanceWorld,
    World,
    attach_required_proofs,
    make_advance_world,
    ready_account,
    request,
    use_line,
)

NOW = ADVANCE_NOW
TODAY = NOW.date()
EXAMPLES = settings(max_examples=20, deadline=None)
LINE_1 = 15_000_000  # 材料費 株式会社△△資材 in factories.standard_lines


def rolled_back(step: Callable[[], None]) -> None:
    """One example: its writes are undone, so the next starts from the same world."""
    with transaction.atomic():
        step()
        transaction.set_rollback(True)


def submit(aw: AdvanceWorld, lines: list[advances.LineInput]) -> UseStatement:
    by = aw.world.contractor_user
    statement = advances.use_statement_create(account=aw.account, by=by, lines=lines, now=NOW)
    attach_required_proofs(aw, statement)
    return advances.use_statement_submit(statement=statement, by=by, now=NOW)


def refused_submit(aw: AdvanceWorld, lines: list[advances.LineInput]) -> DomainError:
    with pytest.raises(DomainError) as exc:
        submit(aw, lines)
    # Nothing submitted: the draft stays a draft.
    assert UseStatement.objects.get(account=aw.account).status == StatementStatus.DRAFT
    return exc.value


def set_advance(aw: AdvanceWorld, amount: int) -> None:
    """The guarantee's advance as the example needs it (within 4/10 of the price, as the rules ask)."""
    Guarantee.objects.filter(pk=aw.guarantee.pk).update(guaranteed_amount=amount, contract_price=amount * 3)


# --- The statement adds up to the advance, to the yen -------------------------------------------


def test_a_statement_one_yen_off_the_advance(world: World) -> None:
    aw = make_advance_world(world)

    @EXAMPLES
    @given(advance=st.integers(min_value=3, max_value=10**11), share=st.fractions(0, 1), off=st.sampled_from([-1, 1]))
    @example(advance=40_000_000, share=0, off=-1)
    def check(advance: int, share: Fraction, off: int) -> None:
        def step() -> None:
            set_advance(aw, advance)
            first = max(1, min(advance - 2, int(advance * share)))
            rest = advance - first
            error = refused_submit(
                aw, [use_line("MATERIALS", first), use_line("LABOUR", rest + off, payee="自社（直用）")]
            )
            assert [v.field for v in error.violations] == ["lines"]
            assert ("あと1円不足" if off < 0 else "1円超えています") in error.violations[0].message
            # To the yen: accepted for submission.
            statement = UseStatement.objects.get(account=aw.account)
            advances.use_statement_update_draft(
                statement=statement,
                by=world.contractor_user,
                lines=[use_line("MATERIALS", first, line_no=1), use_line("LABOUR", rest, "自社（直用）", line_no=2)],
                now=NOW,
            )
            done = advances.use_statement_submit(statement=statement, by=world.contractor_user, now=NOW)
            assert done.status == StatementStatus.SUBMITTED and done.advance_amount == advance

        rolled_back(step)

    check()


# --- 現場管理費・一般管理費等: at most 25/100 of the advance, never on a 中間前払金 ------------------


def test_overhead_exactly_25_per_100_and_one_yen_over(world: World) -> None:
    aw = make_advance_world(world)
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2026, 4, 1), contract_article="工事請負契約書第34条第5項"
    )

    @EXAMPLES
    @given(advance=st.integers(min_value=8, max_value=10**11))
    @example(advance=40_000_000)
    @example(advance=40_000_003)  # 25/100 is not a whole yen: the limit is the yen below
    def check(advance: int) -> None:
        limit = advance * 25 // 100  # recomputed here, not taken from rules.py

        def over() -> None:
            set_advance(aw, advance)
            lines = [use_line("OVERHEAD", limit + 1, payee="自社"), use_line("LABOUR", advance - limit - 1, "自社")]
            error = refused_submit(aw, lines)
            assert [v.field for v in error.violations] == ["lines.0.amount"]
            assert f"{limit:,}円以内" in error.violations[0].message and "1円超過" in error.violations[0].message

        def exactly() -> None:
            set_advance(aw, advance)
            lines = [use_line("OVERHEAD", limit, payee="自社"), use_line("LABOUR", advance - limit, "自社")]
            assert submit(aw, lines).status == StatementStatus.SUBMITTED

        rolled_back(over)
        rolled_back(exactly)

    check()


def test_no_overhead_on_an_interim_advance_whatever_the_share(world: World) -> None:
    aw = make_advance_world(world, kind="INTERIM_ADVANCE")  # 20,000,000円
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2020, 1, 1), contract_article="第34条"
    )

    @EXAMPLES
    @given(overhead=st.integers(min_value=1, max_value=5_000_000))
    @example(overhead=1)
    @example(overhead=5_000_000)  # exactly 25/100: still never from a 中間前払金
    def check(overhead: int) -> None:
        def step() -> None:
            lines = [use_line("OVERHEAD", overhead, payee="自社"), use_line("LABOUR", 20_000_000 - overhead, "自社")]
            error = refused_submit(aw, lines)
            assert [v.field for v in error.violations] == ["lines.0.category"]
            assert "中間前払金" in error.violations[0].message

        rolled_back(step)

    check()


# --- Withdrawals: what is left of the line, never a 未定 line, never while stopped -------------------


def test_a_withdrawal_one_yen_over_what_is_left_of_its_line(world: World) -> None:
    aw = ready_account(world)

    @EXAMPLES
    @given(
        paid=st.integers(min_value=0, max_value=LINE_1 - 1),
        pending_share=st.fractions(0, 1),
    )
    @example(paid=0, pending_share=0)
    @example(paid=LINE_1 - 1, pending_share=0)
    def check(paid: int, pending_share: Fraction) -> None:
        def step() -> None:
            if paid:
                advances.withdrawal_pay(
                    withdrawal=request(aw, line_no=1, amount=paid), by=aw.bank_user, paid_on=TODAY, now=NOW
                )
            pending = int((LINE_1 - paid) * pending_share)
            if pending:
                request(aw, line_no=1, amount=pending)
            left = LINE_1 - paid - pending
            before = Withdrawal.objects.count()
            with pytest.raises(DomainError) as exc:
                request(aw, line_no=1, amount=left + 1)
            assert [v.field for v in exc.value.violations] == ["amount"]
            assert f"残額 {left:,}円" in exc.value.violations[0].message
            assert Withdrawal.objects.count() == before
            if left:
                last = request(aw, line_no=1, amount=left)
                # The bank pays it: it is exactly what the line has not paid and does not wait for.
                advances.withdrawal_pay(withdrawal=last, by=aw.bank_user, paid_on=TODAY, now=NOW)
                assert Withdrawal.objects.get(pk=last.pk).status == WithdrawalStatus.PAID

        rolled_back(step)

    check()


def test_nothing_against_an_undecided_line_whatever_the_amount(world: World) -> None:
    aw = ready_account(world)  # line 4: 材料費 未定 10,000,000円

    @EXAMPLES
    @given(amount=st.integers(min_value=1, max_value=10_000_000))
    def check(amount: int) -> None:
        with pytest.raises(DomainError) as exc:
            request(aw, line_no=4, amount=amount)
        assert [v.field for v in exc.value.violations] == ["line_no"]
        assert "未定" in exc.value.violations[0].message
        assert not Withdrawal.objects.exists()

    check()


def test_nothing_requested_or_paid_while_stopped_whatever_the_amount(world: World) -> None:
    aw = ready_account(world)
    waiting = request(aw, line_no=2, amount=1_000_000)
    advances.account_stop(account=aw.account, by=world.clerk, reason="保証事故の調査中", now=NOW)

    @EXAMPLES
    @given(amount=st.integers(min_value=1, max_value=LINE_1))
    def check(amount: int) -> None:
        with pytest.raises(InvalidStateError, match="保証事故の調査中"):
            advances.withdrawal_request(
                by=world.contractor_user,
                data=advances.WithdrawalInput(
                    account_id=aw.account.pk, line_no=1, amount=amount, desired_on=TODAY, payee=PAYEE
                ),
                now=NOW,
            )
        with pytest.raises(InvalidStateError, match="払出停止中"):
            advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=TODAY, now=NOW)
        assert list(Withdrawal.objects.values_list("status", flat=True)) == [WithdrawalStatus.REQUESTED]

    check()
