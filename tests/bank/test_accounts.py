"""The bank's accounts: the list and one account (the accepted statement's lines, deposits, requests)
for the bank and branch that hold it; 入金の記録 by them only."""

from __future__ import annotations

import pytest
from django.test import Client

from esurety.advances import services as advances
from esurety.advances.kinds import DepositKind
from esurety.advances.models import Deposit
from esurety.core.clock import business_date
from esurety.parties.models import User
from tests.factories import (
    ADVANCE_NOW,
    AdvanceWorld,
    World,
    make_advance_world,
    ready_account,
    request,
    submit_statement,
)


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_shows_lines_balance_deposits_and_requests(aw: AdvanceWorld) -> None:
    w = request(aw, line_no=2, amount=3_000_000)
    number = aw.guarantee.number
    for user in (aw.bank_user, aw.bank_admin):
        assert number in client_for(user).get("/bank/accounts/").content.decode()
        body = client_for(user).get(f"/bank/accounts/{number}/").content.decode()
        assert "承認済の明細書 第1版" in body and "外注費" in body and "株式会社□□工業" in body
        assert "7,000,000" in body  # 外注費 10,000,000 less 3,000,000 waiting
        assert "40,000,000円" in body and w.number in body and "未定" in body


def test_drafts_are_not_shown_to_the_bank(world: World) -> None:
    aw = make_advance_world(world)
    submit_statement(aw)
    body = client_for(aw.bank_user).get(f"/bank/accounts/{aw.guarantee.number}/").content.decode()
    assert "承認済の使途内訳明細書はまだありません" in body and "株式会社□□工業" not in body


@pytest.mark.parametrize("who", ["other_branch_bank_user", "other_bank_user"])
def test_other_branch_and_bank_do_not_find_the_account_nor_record_a_deposit(aw: AdvanceWorld, who: str) -> None:
    client = client_for(getattr(aw, who))
    number = aw.guarantee.number
    assert number not in client.get("/bank/accounts/").content.decode()
    assert client.get(f"/bank/accounts/{number}/").status_code == 404
    before = Deposit.objects.count()
    response = client.post(
        f"/bank/accounts/{number}/deposits/",
        {"kind": "INTEREST", "amount": "100", "booked_on": business_date().isoformat()},
    )
    assert response.status_code == 404 and Deposit.objects.count() == before


def test_other_kinds_of_users_get_404(aw: AdvanceWorld) -> None:
    number = aw.guarantee.number
    for user in (aw.world.contractor_user, aw.world.orderer_user, aw.world.approver):
        client = client_for(user)
        assert client.get("/bank/accounts/").status_code == 404
        assert client.get(f"/bank/accounts/{number}/").status_code == 404
        assert client.post(f"/bank/accounts/{number}/deposits/", {"kind": "INTEREST", "amount": "1"}).status_code == 404


def test_the_branch_records_interest_and_bad_input_is_named(aw: AdvanceWorld) -> None:
    client = client_for(aw.bank_user)
    url = f"/bank/accounts/{aw.guarantee.number}/deposits/"
    response = client.post(
        url,
        {"kind": "INTEREST", "amount": "１，２３４円", "booked_on": business_date().isoformat(), "note": "決算利息"},
    )
    assert response.status_code == 302
    deposit = Deposit.objects.get(kind=DepositKind.INTEREST)
    assert deposit.amount == 1234 and deposit.recorded_by == aw.bank_user and deposit.note == "決算利息"
    response = client.post(url, {"kind": "ADVANCE", "amount": "0", "booked_on": "2999-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "金額は1円以上で入力してください。" in body or "入金日" in body
    assert Deposit.objects.filter(kind=DepositKind.ADVANCE).count() == 1


def test_no_deposit_on_a_closed_account(aw: AdvanceWorld) -> None:
    advances.account_close(account=aw.account, by=aw.world.approver, reason="工事完成", now=ADVANCE_NOW)
    response = client_for(aw.bank_user).post(
        f"/bank/accounts/{aw.guarantee.number}/deposits/",
        {"kind": "INTEREST", "amount": "100", "booked_on": business_date().isoformat()},
    )
    assert response.status_code == 409
    assert not Deposit.objects.filter(kind=DepositKind.INTEREST).exists()
