"""A bank's people: the first 管理者 invited by a surety, members by that 管理者 (branch or head office),
the same login and set-password link as everyone; nobody else invites or removes them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from esurety.accounts.services import member_remove
from esurety.accounts.services.bank_users import bank_admin_invite, bank_member_invite
from esurety.advances.kinds import WithdrawalStatus
from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import DepositBank, Role, User
from tests.accounts.helpers import link_in, login, set_password_through_link
from tests.factories import AdvanceWorld, World, make_advance_world, make_bank, make_user, ready_account, request
from tests.office.lifecycle import make_office

NEW_PASSWORD = "Ginko-no-pass-2026"


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return make_advance_world(world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_surety_admin_invites_the_first_bank_admin_who_logs_in_at_the_bank_portal(world: World) -> None:
    office = make_office(world)
    bank, _ = make_bank("□□銀行", "0002", (("本店", "001"),), contract_with=world.surety)
    admin = bank_admin_invite(
        by=office.admin, bank=bank, email="Kanri@Bank.example", display_name="本部 一郎", now=timezone.now()
    )
    assert admin.deposit_bank == bank and admin.bank_branch is None and admin.role == Role.ORG_ADMIN
    assert AuditEntry.objects.filter(action="user.invite", object_id=str(admin.pk)).exists()
    mail = OutboxMessage.objects.get(template="bank_user_invited")
    assert mail.to == ["Kanri@bank.example"] and "□□銀行の管理者" in mail.subject
    assert f"お客様ID: {admin.username}" in mail.body_text and "本部（全支店" in mail.body_text
    set_password_through_link(Client(), link_in(mail), NEW_PASSWORD)
    client = Client()
    assert login(client, admin.username, NEW_PASSWORD)["Location"] == "/bank/"
    assert client.get("/bank/users/").status_code == 200

    # Once the bank has its 管理者, it invites its own people.
    with pytest.raises(InvalidStateError):
        bank_admin_invite(by=office.admin, bank=bank, email="b@bank.example", display_name="二人目", now=timezone.now())


def test_only_managers_of_a_surety_under_contract_invite_a_bank_admin(world: World) -> None:
    office = make_office(world)
    bank, _ = make_bank("□□銀行", "0002", (("本店", "001"),))  # no 預託契約 with this surety
    with pytest.raises(NotPermitted):
        bank_admin_invite(by=office.admin, bank=bank, email="a@bank.example", display_name="甲", now=timezone.now())
    contracted, _ = make_bank("◇◇銀行", "0003", (("本店", "001"),), contract_with=world.surety)
    for by in (world.clerk, world.approver, world.contractor_user, world.orderer_user):
        with pytest.raises(NotPermitted):
            bank_admin_invite(by=by, bank=contracted, email="a@bank.example", display_name="甲", now=timezone.now())
    assert not User.objects.filter(deposit_bank__in=[bank, contracted]).exists()


def test_bank_admin_invites_a_branch_member_who_sees_that_branch_only(world: World) -> None:
    aw = ready_account(world)
    mine = request(aw)
    invited = bank_member_invite(
        by=aw.bank_admin,
        email="tanto@bank.example",
        display_name="支店 担当",
        bank_branch_id=aw.other_bank_branch.pk,
        now=timezone.now(),
    )
    assert invited.deposit_bank == aw.bank and invited.bank_branch == aw.other_bank_branch
    assert invited.role == Role.MEMBER
    mail = OutboxMessage.objects.get(template="bank_user_invited", to=["tanto@bank.example"])
    assert "□□支店（この支店の口座のみ扱えます）" in mail.body_text
    set_password_through_link(Client(), link_in(mail), NEW_PASSWORD)
    client = Client()
    assert login(client, invited.username, NEW_PASSWORD)["Location"] == "/bank/"
    assert mine.number not in client.get("/bank/").content.decode()
    assert client.get(f"/bank/withdrawals/{mine.pk}/").status_code == 404
    assert client.get("/bank/users/").status_code == 404


def test_a_branch_of_another_bank_is_refused(aw: AdvanceWorld) -> None:
    other_branch = aw.other_bank.branches.get()
    with pytest.raises(DomainError) as refused:
        bank_member_invite(
            by=aw.bank_admin,
            email="x@bank.example",
            display_name="乙",
            bank_branch_id=other_branch.pk,
            now=timezone.now(),
        )
    assert refused.value.violations[0].field == "bank_branch"
    assert not User.objects.filter(email="x@bank.example").exists()


@pytest.mark.parametrize("who", ["bank_user", "other_bank_user", "other_branch_bank_user"])
def test_members_do_not_invite(aw: AdvanceWorld, who: str) -> None:
    with pytest.raises(NotPermitted):
        bank_member_invite(
            by=getattr(aw, who), email="x@bank.example", display_name="乙", bank_branch_id=None, now=timezone.now()
        )


def test_users_page_invites_and_removes(aw: AdvanceWorld) -> None:
    client = client_for(aw.bank_admin)
    page = client.get("/bank/users/").content.decode()
    assert aw.bank_user.username in page and aw.other_branch_bank_user.username in page
    assert aw.other_bank_user.username not in page
    response = client.post(
        "/bank/users/",
        {"display_name": "新人 三郎", "email": "shinjin@bank.example", "bank_branch": str(aw.bank_branch.pk)},
    )
    assert response.status_code == 302
    invited = User.objects.get(email="shinjin@bank.example")
    assert invited.bank_branch == aw.bank_branch and invited.deposit_bank == aw.bank

    response = client.post("/bank/users/", {"display_name": "", "email": "bad", "bank_branch": "999999"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "氏名を入力してください。" in body and "メールアドレスの形式が正しくありません。" in body
    assert "所属を一覧から選んでください。" in body

    assert client.get(f"/bank/users/{invited.pk}/remove/").status_code == 200
    assert client.post(f"/bank/users/{invited.pk}/remove/").status_code == 302
    invited.refresh_from_db()
    assert not invited.is_active


def test_users_page_is_the_head_office_admins_only(aw: AdvanceWorld) -> None:
    branch_admin = make_user("judy", deposit_bank=aw.bank, bank_branch=aw.bank_branch, role=Role.ORG_ADMIN)
    other_bank_admin = make_user("ken", deposit_bank=aw.other_bank, role=Role.ORG_ADMIN)
    for user in (aw.bank_user, branch_admin, aw.world.contractor_user, aw.world.orderer_user, aw.world.approver):
        client = client_for(user)
        assert client.get("/bank/users/").status_code == 404
        assert client.post(f"/bank/users/{aw.bank_user.pk}/remove/").status_code == 404
    # Another bank's 管理者: our people are not found, and stay.
    client = client_for(other_bank_admin)
    assert aw.bank_user.username not in client.get("/bank/users/").content.decode()
    assert client.get(f"/bank/users/{aw.bank_user.pk}/remove/").status_code == 404
    assert client.post(f"/bank/users/{aw.bank_user.pk}/remove/").status_code == 404
    with pytest.raises(NotPermitted):
        member_remove(by=other_bank_admin, user=aw.bank_user, now=timezone.now())
    aw.bank_user.refresh_from_db()
    assert aw.bank_user.is_active


def test_a_removed_bank_user_cannot_pay(world: World) -> None:
    aw = ready_account(world)
    w = request(aw)
    client = client_for(aw.bank_user)
    member_remove(by=aw.bank_admin, user=aw.bank_user, now=timezone.now())
    client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": timezone.localdate().isoformat()})
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_contractor_and_orderer_member_pages_stay_closed_to_banks(aw: AdvanceWorld) -> None:
    assert client_for(aw.bank_admin).get("/account/members/").status_code == 404
    assert DepositBank.objects.count() == 2
