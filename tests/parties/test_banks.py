"""Deposit banks kept by the sureties' 管理者・支店長: registration with the 預託契約, branches, a second
surety's contract; the back office's pages; everyone else is refused and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.parties.models import DepositBank, DepositBankBranch, SuretyBankContract, User
from esurety.parties.services import BankInput, deposit_bank_branch_add, deposit_bank_contract_add, deposit_bank_create
from tests.factories import World, make_bank
from tests.office.lifecycle import Office, make_office

START = dt.date(2026, 4, 1)


@pytest.fixture
def office(world: World) -> Office:
    return make_office(world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_register_a_bank_with_its_contract_and_branches(world: World, office: Office) -> None:
    bank = deposit_bank_create(
        by=office.admin, data=BankInput(name=" 〇〇銀行 ", code="０００１"), contract_from=START, now=timezone.now()
    )
    assert bank.name == "〇〇銀行" and bank.code == "0001"
    assert SuretyBankContract.in_force(surety_id=world.surety.pk, bank_id=bank.pk, on=START)
    branch = deposit_bank_branch_add(by=office.manager, bank=bank, name="▲▲支店", code="１０１", now=timezone.now())
    assert branch.code == "101" and branch.bank == bank
    actions = list(AuditEntry.objects.filter(object_id=str(bank.pk)).values_list("action", flat=True))
    assert actions == ["deposit_bank.create", "deposit_bank.branch_add"]


def test_codes_names_and_duplicates_are_named(office: Office) -> None:
    with pytest.raises(DomainError) as refused:
        deposit_bank_create(
            by=office.admin, data=BankInput(name="", code="12"), contract_from=START, now=timezone.now()
        )
    assert {v.field for v in refused.value.violations} == {"name", "code"}
    bank = deposit_bank_create(
        by=office.admin, data=BankInput(name="〇〇銀行", code="0001"), contract_from=START, now=timezone.now()
    )
    with pytest.raises(DomainError):
        deposit_bank_create(
            by=office.admin, data=BankInput(name="〇〇銀行", code="0009"), contract_from=START, now=timezone.now()
        )
    deposit_bank_branch_add(by=office.admin, bank=bank, name="▲▲支店", code="101", now=timezone.now())
    for name, code in (("▲▲支店", "102"), ("別支店", "101"), ("別支店", "1a1")):
        with pytest.raises(DomainError):
            deposit_bank_branch_add(by=office.admin, bank=bank, name=name, code=code, now=timezone.now())
    assert DepositBankBranch.objects.filter(bank=bank).count() == 1


def test_a_second_surety_adds_its_own_contract_once(world: World, office: Office) -> None:
    bank, _ = make_bank(contract_with=world.surety)
    deposit_bank_contract_add(by=office.other_surety_staff, bank=bank, effective_from=START, now=timezone.now())
    assert SuretyBankContract.objects.filter(bank=bank).count() == 2
    with pytest.raises(InvalidStateError):
        deposit_bank_contract_add(by=office.other_surety_staff, bank=bank, effective_from=START, now=timezone.now())


def test_clerks_approvers_and_outsiders_cannot_keep_banks(world: World, office: Office) -> None:
    bank, _ = make_bank(contract_with=world.surety)
    for by in (world.clerk, world.approver, world.contractor_user, world.orderer_user):
        with pytest.raises(NotPermitted):
            deposit_bank_create(
                by=by, data=BankInput(name="新銀行", code="0456"), contract_from=START, now=timezone.now()
            )
        with pytest.raises(NotPermitted):
            deposit_bank_branch_add(by=by, bank=bank, name="新支店", code="999", now=timezone.now())
    assert not DepositBank.objects.filter(code="0456").exists()
    assert not DepositBankBranch.objects.filter(code="999").exists()


def test_office_pages_register_a_bank_add_a_branch_and_invite_its_admin(world: World, office: Office) -> None:
    client = client_for(office.admin)
    assert client.get("/office/banks/").status_code == 200
    response = client.post("/office/banks/", {"name": "〇〇銀行", "code": "0001", "contract_from": "2026-04-01"})
    bank = DepositBank.objects.get(code="0001")
    assert response.status_code == 302 and response["Location"] == f"/office/banks/{bank.pk}/"
    response = client.post(f"/office/banks/{bank.pk}/branches/", {"name": "▲▲支店", "code": "101"})
    assert response.status_code == 302 and bank.branches.filter(code="101").exists()
    page = client.get(f"/office/banks/{bank.pk}/").content.decode()
    assert "▲▲支店" in page and "最初の管理者を招待する" in page
    response = client.post(f"/office/banks/{bank.pk}/invite/", {"display_name": "本部 一郎", "email": "k@bank.example"})
    assert response.status_code == 302
    assert User.objects.get(email="k@bank.example").deposit_bank == bank
    assert "管理者が登録済みです" in client.get(f"/office/banks/{bank.pk}/").content.decode()


def test_office_forms_name_their_errors(office: Office) -> None:
    client = client_for(office.admin)
    response = client.post("/office/banks/", {"name": "", "code": "1", "contract_from": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "金融機関名を入力してください。" in body and "預託契約の開始日を入力してください。" in body
    response = client.post("/office/banks/", {"name": "〇〇銀行", "code": "12", "contract_from": "2026-04-01"})
    assert response.status_code == 400 and "金融機関コードは4桁の数字で入力してください" in response.content.decode()
    assert not DepositBank.objects.exists()


def test_a_clerk_reads_but_cannot_register(world: World, office: Office) -> None:
    bank, _ = make_bank(contract_with=world.surety)
    client = client_for(world.clerk)
    assert "預託金融機関を登録する" not in client.get("/office/banks/").content.decode()
    assert "支店を追加する" not in client.get(f"/office/banks/{bank.pk}/").content.decode()
    client.post("/office/banks/", {"name": "新銀行", "code": "0456", "contract_from": "2026-04-01"})
    client.post(f"/office/banks/{bank.pk}/branches/", {"name": "新支店", "code": "999"})
    client.post(f"/office/banks/{bank.pk}/invite/", {"display_name": "甲", "email": "a@bank.example"})
    assert not DepositBank.objects.filter(code="0456").exists()
    assert not bank.branches.filter(code="999").exists()
    assert not User.objects.filter(email="a@bank.example").exists()


def test_the_office_bank_pages_do_not_exist_for_banks_contractors_and_orderers(world: World) -> None:
    bank, _ = make_bank(contract_with=world.surety)
    bank_admin = User.objects.create(username="bankadmin", deposit_bank=bank, role="ORG_ADMIN")
    for user in (bank_admin, world.contractor_user, world.orderer_user):
        client = client_for(user)
        assert client.get("/office/banks/").status_code == 404
        assert client.get(f"/office/banks/{bank.pk}/").status_code == 404
        assert client.post(f"/office/banks/{bank.pk}/branches/", {"name": "新支店", "code": "999"}).status_code == 404
    assert not bank.branches.filter(code="999").exists()
