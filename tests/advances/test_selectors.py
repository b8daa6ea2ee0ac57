"""Who sees which account, statement and request; the account view's figures; the audit list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from esurety.advances import selectors
from esurety.advances import services as advances
from esurety.advances.kinds import WithdrawalStatus
from esurety.guarantees.models import NumberSeries
from esurety.parties.models import Role, User
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    AdvanceWorld,
    World,
    make_advance_world,
    make_contractor,
    make_guarantee,
    make_user,
    open_account,
    ready_account,
    request,
    submit_statement,
)

NOW = ADVANCE_NOW
TODAY = NOW.date()


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def personas(aw: AdvanceWorld) -> dict[str, tuple[User, bool]]:
    """Each persona and whether it may see alice's account."""
    w = aw.world
    gone = make_user("mallory", deposit_bank=aw.bank)
    gone.is_active = False
    gone.save()
    return {
        "contractor": (w.contractor_user, True),
        "other contractor": (w.other_contractor_user, False),
        "clerk (all branches)": (w.clerk, True),
        "approver (all branches)": (w.approver, True),
        "staff of another branch": (aw.branch_clerk, False),
        "bank branch holding it": (aw.bank_user, True),
        "bank, all branches": (aw.bank_admin, True),
        "another branch of the bank": (aw.other_branch_bank_user, False),
        "another bank": (aw.other_bank_user, False),
        "orderer": (w.orderer_user, False),
        "inactive bank user": (gone, False),
    }


def test_every_read_is_scoped_to_who_may_see_the_account(aw: AdvanceWorld) -> None:
    waiting = request(aw, line_no=1, amount=1_000_000)
    statement = aw.account.statements.get()
    for name, (user, sees) in personas(aw).items():
        assert (aw.account in selectors.advance_accounts_for(user=user)) is sees, name
        assert (selectors.advance_account_for(user=user, number=aw.guarantee.number) is not None) is sees, name
        assert (selectors.withdrawal_for(user=user, pk=waiting.pk) is not None) is sees, name
        assert (selectors.use_statement_for(user=user, pk=statement.pk) is not None) is sees, name
        proof = statement.proofs.first()
        assert proof is not None
        assert (selectors.proof_for(user=user, pk=proof.pk) is not None) is sees, name
        in_bank_list = waiting in selectors.withdrawals_for_bank(user=user)
        assert in_bank_list is (sees and user.deposit_bank_id is not None), name


def test_a_bank_branch_user_sees_its_branch_whatever_it_asks(aw: AdvanceWorld) -> None:
    waiting = request(aw, line_no=1, amount=1_000_000)
    asked_elsewhere = selectors.withdrawals_for_bank(user=aw.bank_user, bank_branch_id=aw.other_bank_branch.pk)
    assert list(asked_elsewhere) == [waiting]
    assert list(selectors.withdrawals_for_bank(user=aw.other_branch_bank_user, bank_branch_id=aw.bank_branch.pk)) == []
    assert list(selectors.withdrawals_for_bank(user=aw.bank_admin, bank_branch_id=aw.other_bank_branch.pk)) == []


def test_the_banks_list_filters(aw: AdvanceWorld) -> None:
    paid = request(aw, line_no=1, amount=1_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=TODAY, now=NOW)
    later = NOW + dt.timedelta(days=3)
    waiting = advances.withdrawal_request(
        by=aw.world.contractor_user,
        data=advances.WithdrawalInput(
            account_id=aw.account.pk, line_no=2, amount=2_000_000, desired_on=later.date(), payee=PAYEE
        ),
        now=later,
    )
    user = aw.bank_admin
    assert list(selectors.withdrawals_for_bank(user=user)) == [waiting, paid]  # newest first
    assert list(selectors.withdrawals_for_bank(user=user, status=WithdrawalStatus.PAID)) == [paid]
    assert list(selectors.withdrawals_for_bank(user=user, date_from=later.date())) == [waiting]
    assert list(selectors.withdrawals_for_bank(user=user, date_to=TODAY)) == [paid]
    assert list(selectors.withdrawals_for_bank(user=user, contractor_id=aw.world.other_contractor.pk)) == []
    assert list(selectors.withdrawals_for_bank(user=user, bank_branch_id=aw.bank_branch.pk)) == [waiting, paid]
    assert list(selectors.accounts_with_open_requests_for_bank(user=user)) == [aw.account]


def test_statements_shown_by_state_to_each_kind_of_user(world: World) -> None:
    aw = make_advance_world(world)
    st = submit_statement(aw)
    assert list(selectors.use_statement_queue_for_staff(user=world.clerk)) == [st]
    assert list(selectors.use_statement_queue_for_staff(user=aw.branch_clerk)) == []
    assert list(selectors.use_statement_queue_for_staff(user=world.contractor_user)) == []
    assert list(selectors.use_statements_for(user=world.clerk, account=aw.account)) == [st]
    assert list(selectors.use_statements_for(user=aw.bank_user, account=aw.account)) == []


def test_account_view_by_line_and_payee(aw: AdvanceWorld) -> None:
    w = aw.world
    a = request(aw, line_no=1, amount=4_000_000)
    b = request(aw, line_no=1, amount=1_000_000)
    advances.withdrawals_request_bulk(
        by=w.contractor_user,
        items=[
            advances.WithdrawalInput(
                account_id=aw.account.pk,
                line_no=2,
                amount=3_000_000,
                desired_on=TODAY,
                payee=dataclasses.replace(PAYEE, name="株式会社□□工業"),
            )
        ],
        now=NOW,
    )
    advances.withdrawal_pay(withdrawal=a, by=aw.bank_user, paid_on=TODAY, now=NOW)
    advances.withdrawal_return(withdrawal=b, by=aw.bank_user, reason="重複", now=NOW)
    view = selectors.account_view(account=aw.account, today=TODAY)
    assert [(x.line_no, x.amount, x.paid, x.pending, x.left) for x in view.lines] == [
        (1, 15_000_000, 4_000_000, 0, 11_000_000),
        (2, 10_000_000, 0, 3_000_000, 7_000_000),
        (3, 5_000_000, 0, 0, 5_000_000),
        (4, 10_000_000, 0, 0, 10_000_000),
    ]
    assert view.lines[3].is_undecided
    assert [(p.name, p.paid, p.pending, p.count) for p in view.payees] == [
        ("株式会社△△資材", 4_000_000, 0, 1),
        ("株式会社□□工業", 0, 3_000_000, 1),
    ]
    assert (view.balance.advance_deposited, view.balance.paid, view.balance.advance_balance) == (
        40_000_000,
        4_000_000,
        36_000_000,
    )
    assert view.claimable_balance is None
    # After the works' end (工事末日 2027-03-31) what is left is the orderer's to claim back.
    ended = selectors.account_view(account=aw.account, today=dt.date(2027, 4, 1))
    assert ended.claimable_balance == 36_000_000


def test_account_view_costs_the_same_for_3_or_60_withdrawals(aw: AdvanceWorld) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.account_view(account=aw.account, today=TODAY)
        return len(ctx.captured_queries)

    request(aw, line_no=1, amount=1)
    few = queries()
    advances.withdrawals_request_bulk(
        by=aw.world.contractor_user,
        items=[
            advances.WithdrawalInput(
                account_id=aw.account.pk,
                line_no=1 + i % 3,
                amount=1_000 + i,
                desired_on=TODAY,
                payee=dataclasses.replace(PAYEE, name=f"支払先{i}"),
            )
            for i in range(60)
        ],
        now=NOW,
    )
    assert queries() == few <= 4


def test_unusual_accounts(world: World) -> None:
    aw = ready_account(world)
    quiet = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    open_account(world, quiet, aw.bank_branch, number="2222222")
    # Line 1 names 株式会社△△資材: paying it is expected; another payee taking over half is not.
    own = request(aw, line_no=1, amount=9_000_000)
    advances.withdrawal_pay(withdrawal=own, by=aw.bank_user, paid_on=TODAY, now=NOW)
    assert selectors.unusual_accounts_for_staff(user=world.clerk, today=TODAY) == []
    advances.withdrawal_request(
        by=world.contractor_user,
        data=advances.WithdrawalInput(
            account_id=aw.account.pk,
            line_no=2,  # 外注費 10,000,000円 for 株式会社□□工業
            amount=5_000_001,
            desired_on=TODAY,
            payee=dataclasses.replace(PAYEE, name="株式会社◎◎商事"),
        ),
        now=NOW,
    )
    advances.account_stop(account=aw.account, by=world.clerk, reason="保証事故", now=NOW + dt.timedelta(minutes=30))
    advances.account_resume(account=aw.account, by=world.approver, reason="解除", now=NOW + dt.timedelta(hours=1))
    after = NOW + dt.timedelta(hours=2)
    advances.withdrawal_request(
        by=world.contractor_user,
        data=advances.WithdrawalInput(
            account_id=aw.account.pk, line_no=3, amount=1, desired_on=after.date(), payee=PAYEE
        ),
        now=after,
    )
    found = selectors.unusual_accounts_for_staff(user=world.clerk, today=TODAY)
    assert [f.account for f in found] == [aw.account]
    reasons = found[0].reasons
    assert len(reasons) == 2
    assert "外注費の行（10,000,000円）の50%を、明細書の支払先（株式会社□□工業）ではない「株式会社◎◎商事」" in reasons[0]
    assert "払出停止（令和8年5月1日）の後の払出依頼・払出が1件" in reasons[1]

    ended = selectors.unusual_accounts_for_staff(user=world.clerk, today=dt.date(2027, 4, 1))
    assert "前払金残高が31,000,000円残っています" in ended[0].reasons[-1]
    assert selectors.unusual_accounts_for_staff(user=aw.branch_clerk, today=TODAY) == []
    assert selectors.unusual_accounts_for_staff(user=aw.bank_admin, today=TODAY) == []


def test_what_the_contractor_still_has_to_register(world: World) -> None:
    aw = ready_account(world)
    newer = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    assert list(selectors.guarantees_awaiting_account_for_contractor(user=world.contractor_user)) == [newer]
    assert list(selectors.guarantees_awaiting_account_for_contractor(user=world.other_contractor_user)) == []
    branches = selectors.bank_branches_for_guarantee(guarantee=newer, on=TODAY)
    assert [b.bank.name for b in branches] == ["〇〇銀行", "〇〇銀行", "△△信用金庫"]
    assert aw.account not in selectors.advance_accounts_for(user=make_user("x", contractor=make_contractor("別会社")))


def _left_after_the_end(aw: AdvanceWorld, *, work_name: str, account_number: str, **overrides: object) -> AdvanceWorld:
    """A further account at ▲▲支店 with its advance deposited and untouched: after the works' end
    (2027-03-31) it shows the pattern 前払金残高が残っています."""
    guarantee = make_guarantee(aw.world, work_name=work_name, guaranteed_amount=20_000_000, **overrides)
    account = open_account(aw.world, guarantee, aw.bank_branch, number=account_number)
    advances.deposit_record(
        account=account, by=aw.bank_user, kind="ADVANCE", amount=20_000_000, booked_on=TODAY, now=NOW
    )
    return dataclasses.replace(aw, guarantee=guarantee, account=account)


def test_unusual_accounts_of_every_branch_for_the_head_office_and_of_its_own_for_a_branch(world: World) -> None:
    aw = ready_account(world)  # 大塚支店 (world.branch)
    far_branch = aw.branch_clerk.branch  # 徳島支店
    assert far_branch is not None
    NumberSeries.objects.create(
        branch=far_branch, kind="", first_number=2_080_000_001, last_number=2_080_099_999, next_number=2_080_000_001
    )
    far = _left_after_the_end(aw, work_name="△△トンネル工事", account_number="2222222", branch_id=far_branch.pk)
    ended = dt.date(2027, 4, 1)
    admin = make_user("head-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    ours = make_user("otsuka-clerk", surety=world.surety, branch=world.branch, role=Role.CLERK)

    def seen(user: User) -> list[str]:
        return [f.account.guarantee.number for f in selectors.unusual_accounts_for_staff(user=user, today=ended)]

    both = sorted([aw.guarantee.number, far.guarantee.number])
    assert seen(admin) == both
    assert seen(world.clerk) == both
    assert seen(ours) == [aw.guarantee.number]
    assert seen(aw.branch_clerk) == [far.guarantee.number]
    assert seen(aw.bank_admin) == []


def test_unusual_accounts_ask_the_database_the_same_whatever_the_number_of_accounts(world: World) -> None:
    """The staff scope goes to the database as a subquery, not as a list of account ids: tens of
    thousands of accounts would overflow SQLite's bound variables and slow PostgreSQL down."""
    aw = ready_account(world)
    ended = dt.date(2027, 4, 1)

    def parameters() -> list[int]:
        bound: list[int] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            bound.append(len(params or ()))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            found = selectors.unusual_accounts_for_staff(user=world.clerk, today=ended)
        assert found
        # The last query reads the accounts found; the pattern queries come before it.
        return bound[:-1]

    few = parameters()
    for n in range(3):
        _left_after_the_end(aw, work_name=f"△△トンネル工事{n}", account_number=f"222222{n}")
    assert parameters() == few


def test_an_accounts_requests_newest_first_are_read_from_an_index_not_sorted(aw: AdvanceWorld) -> None:
    """The account view lists the account's 払出依頼 by requested_at, newest first, 50 a page: with
    thousands of requests on one account, the database must read them in that order from an index
    (account, requested_at) instead of sorting them all for every page."""
    for _ in range(3):
        request(aw, line_no=1, amount=1_000)
    page = selectors.withdrawals_for_account(account=aw.account).values_list("pk", flat=True)[:50]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                # A few rows: make the planner cost its paths as on a large table.
                cur.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
                cur.execute("SET LOCAL enable_sort = off")
        plan = page.explain()
    assert "withdrawal_account_list" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
