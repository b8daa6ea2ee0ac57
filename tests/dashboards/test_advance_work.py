"""The staff home's work in hand counts the advance money: statements to examine, requests at the bank, stops.

Counted over what the user may see: the surety's accounts, a branch member's own
branch only (whatever branch it asks for), a head office's pick of branch.
"""

from __future__ import annotations

from django.test import Client

from esurety.advances import services as advances
from esurety.dashboards import selectors
from esurety.parties.models import Role, User
from tests.factories import (
    ADVANCE_NOW,
    World,
    accept_statement,
    deposit_advance,
    make_advance_world,
    make_surety,
    make_user,
    request,
    submit_statement,
)

NOW = ADVANCE_NOW
KEYS = ("advance_statements_waiting", "advance_withdrawals_waiting", "advance_accounts_stopped")


def counts(user: User, branch_id: int | None = None) -> tuple[int, ...]:
    found = {i.key: i.count for i in selectors.work_items(user=user, now=NOW, branch_id=branch_id)}
    return tuple(found.get(key, -1) for key in KEYS)


def test_advance_work_in_hand_by_branch(world: World) -> None:
    aw = make_advance_world(world)
    head = world.clerk  # head office: every branch
    own_branch = make_user("ivan", surety=world.surety, branch=world.branch, role=Role.CLERK)
    far_branch = aw.branch_clerk  # 徳島支店: not the guarantee's branch
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=1_010_000_001)
    stranger = make_user("judy", surety=other_surety, role=Role.SURETY_ADMIN)
    assert counts(head) == (0, 0, 0)

    statement = submit_statement(aw)
    assert counts(head) == counts(own_branch) == (1, 0, 0)
    statement = advances.use_statement_review(statement=statement, by=world.clerk, now=NOW)
    assert counts(head) == (1, 0, 0)  # checked, waiting for another approver
    advances.use_statement_accept(statement=statement, by=world.approver, now=NOW)
    deposit_advance(aw)
    first = request(aw, line_no=1, amount=1_000_000)
    request(aw, line_no=2, amount=2_000_000)
    assert counts(head) == counts(own_branch) == (0, 2, 0)
    advances.withdrawal_pay(withdrawal=first, by=aw.bank_user, paid_on=NOW.date(), now=NOW)
    advances.account_stop(account=aw.account, by=world.clerk, reason="保証事故の調査中", now=NOW)
    assert counts(head) == counts(own_branch) == (0, 1, 1)
    assert counts(head, branch_id=world.branch.pk) == (0, 1, 1)

    # Nobody else's work: another branch (even asking for this one), a head office looking at
    # another branch, another surety.
    far = far_branch.branch_id
    assert counts(far_branch) == counts(far_branch, branch_id=world.branch.pk) == (0, 0, 0)
    assert counts(head, branch_id=far) == (0, 0, 0)
    assert counts(stranger) == (0, 0, 0)

    client = Client()
    client.force_login(head)
    page = client.get("/office/home/").content.decode()
    assert "払出停止中の前払金専用口座" in page and "金融機関で払出待ちの払出依頼" in page
    assert 'href="/office/advances/accounts/?status=STOPPED"' in page and 'href="/office/advances/"' in page
    assert 'href="/office/advances/accounts/?waiting=1"' in page


def test_an_accepted_statement_leaves_the_queue(world: World) -> None:
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    assert counts(world.clerk) == (0, 0, 0)
