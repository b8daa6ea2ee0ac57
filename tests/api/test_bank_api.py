"""The deposit bank's API: a bank token lists, reads, pays and returns the requests of the accounts
its bank holds, nothing of another bank's; other kinds of tokens are refused; nothing changes on refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from esurety.advances import services as advances
from esurety.advances.kinds import WithdrawalStatus
from esurety.audit.models import AuditEntry
from esurety.core.clock import business_date
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create, api_token_revoke
from esurety.parties.models import Role, User
from tests.api.conftest import Api, Tokens, assert_error
from tests.factories import ADVANCE_NOW, AdvanceWorld, World, make_user, ready_account, request


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def bank_api(aw: AdvanceWorld, *, other: bool = False) -> Api:
    bank = aw.other_bank if other else aw.bank
    return Api(api_token_create(by=None, name="勘定系システム", deposit_bank=bank, now=timezone.now()).secret)


def test_list_and_read_the_requests_of_the_bank(aw: AdvanceWorld) -> None:
    w = request(aw, line_no=1, amount=4_000_000)
    api = bank_api(aw)
    body = api.get("/bank/withdrawals").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["number"] == w.number and item["status"] == {"code": "REQUESTED", "label": "依頼中"}
    assert item["amount"] == 4_000_000 and item["use"]["label"] == "材料費"
    assert item["account"]["branch"] == {"code": "456", "name": "▲▲支店"}
    assert item["account"]["guarantee_number"] == aw.guarantee.number
    assert item["payee"]["holder_kana"] == "カ)サンカクシザイ"
    assert item["contractor"] == {"id": aw.world.contractor.pk, "name": "株式会社〇〇建設"}
    detail = api.get(f"/bank/withdrawals/{w.number}").json()
    assert detail["line"]["amount"] == 15_000_000 and detail["line"]["unpaid"] == 15_000_000
    assert detail["line"]["pending"] == 4_000_000 and detail["statement_version"] == 1
    assert detail["advance_balance"] == 40_000_000


def test_filters(aw: AdvanceWorld) -> None:
    first = request(aw, amount=1_000_000)
    second = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=second, by=aw.bank_user, reason="誤り", now=ADVANCE_NOW)
    api = bank_api(aw)

    def numbers(**params: object) -> set[str]:
        response = api.get("/bank/withdrawals", params)
        assert response.status_code == 200, response.content
        return {i["number"] for i in response.json()["items"]}

    day = ADVANCE_NOW.date().isoformat()
    assert numbers() == {first.number, second.number}
    assert numbers(status="RETURNED") == {second.number}
    assert numbers(date_from=day, date_to=day) == {first.number, second.number}
    assert numbers(date_from="2026-05-02") == set()
    assert numbers(branch_code="456") == {first.number, second.number}
    assert numbers(branch_code="457") == set()
    assert numbers(contractor_id=aw.world.contractor.pk) == {first.number, second.number}
    assert numbers(contractor_id=aw.world.other_contractor.pk) == set()
    assert numbers(page=2, page_size=1) == {first.number}
    # Another bank's branch code (001 is △△信用金庫's 本店) is not this bank's.
    assert_error(api.get("/bank/withdrawals", {"branch_code": "001"}), 422, "rule_violation")
    assert_error(
        api.get("/bank/withdrawals", {"date_from": "2026-06-01", "date_to": "2026-05-01"}), 422, "rule_violation"
    )
    assert_error(api.get("/bank/withdrawals", {"status": "PAIDX"}), 422, "invalid_input")


def test_pay_and_return(aw: AdvanceWorld) -> None:
    paying = request(aw, amount=1_000_000)
    returning = request(aw, amount=2_000_000)
    api = bank_api(aw)
    today = business_date().isoformat()
    response = api.post(f"/bank/withdrawals/{paying.number}/pay", {"paid_on": today})
    assert response.status_code == 200, response.content
    assert response.json()["status"]["code"] == "PAID" and response.json()["paid_on"] == today
    response = api.post(f"/bank/withdrawals/{returning.number}/return", {"reason": "口座名義の相違"})
    assert response.status_code == 200 and response.json()["return_reason"] == "口座名義の相違"
    paying.refresh_from_db()
    returning.refresh_from_db()
    assert paying.status == WithdrawalStatus.PAID and returning.status == WithdrawalStatus.RETURNED
    # The audit log names the system that acted.
    entry = AuditEntry.objects.get(action="withdrawal.pay")
    assert entry.actor is not None and entry.actor.display_name == "API連携: 勘定系システム"
    assert_error(api.post(f"/bank/withdrawals/{paying.number}/pay", {"paid_on": today}), 409, "invalid_state")


def test_rules_are_named(aw: AdvanceWorld) -> None:
    w = request(aw)
    api = bank_api(aw)
    tomorrow = (business_date() + dt.timedelta(days=1)).isoformat()
    body = assert_error(api.post(f"/bank/withdrawals/{w.number}/pay", {"paid_on": tomorrow}), 422, "rule_violation")
    assert "paid_on" in body["fields"]
    assert_error(api.post(f"/bank/withdrawals/{w.number}/pay", {"paid_on": "2026/05/01"}), 422, "invalid_input")
    assert_error(api.post(f"/bank/withdrawals/{w.number}/return", {"reason": ""}), 422, "invalid_input")
    advances.account_stop(account=aw.account, by=aw.world.approver, reason="保証事故", now=ADVANCE_NOW)
    assert_error(
        api.post(f"/bank/withdrawals/{w.number}/pay", {"paid_on": business_date().isoformat()}), 409, "invalid_state"
    )
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_another_bank_sees_nothing_and_changes_nothing(aw: AdvanceWorld) -> None:
    w = request(aw)
    other = bank_api(aw, other=True)
    assert other.get("/bank/withdrawals").json()["count"] == 0
    assert_error(other.get(f"/bank/withdrawals/{w.number}"), 404, "not_found")
    today = business_date().isoformat()
    assert_error(other.post(f"/bank/withdrawals/{w.number}/pay", {"paid_on": today}), 404, "not_found")
    assert_error(other.post(f"/bank/withdrawals/{w.number}/return", {"reason": "x"}), 404, "not_found")
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_other_kinds_of_tokens_are_refused(aw: AdvanceWorld, tokens: Tokens) -> None:
    w = request(aw)
    for secret in (tokens.orderer, tokens.clerk, tokens.approver):
        api = Api(secret)
        assert_error(api.get("/bank/withdrawals"), 403, "forbidden")
        assert_error(api.post(f"/bank/withdrawals/{w.number}/pay", {"paid_on": "2026-05-01"}), 403, "forbidden")
    bank = bank_api(aw)
    assert_error(bank.get(f"/guarantees/{aw.guarantee.number}"), 403, "forbidden")
    assert_error(bank.get("/certificates"), 403, "forbidden")
    assert_error(Api().get("/bank/withdrawals"), 401, "unauthorized")
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_a_revoked_token_is_out(aw: AdvanceWorld) -> None:
    issued = api_token_create(by=aw.bank_admin, name="勘定系", deposit_bank=aw.bank, now=timezone.now())
    api_token_revoke(token=issued.token, by=aw.bank_admin, now=timezone.now())
    assert_error(Api(issued.secret).get("/bank/withdrawals"), 401, "unauthorized")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bank_admin_issues_and_revokes_tokens_on_its_page(aw: AdvanceWorld) -> None:
    client = client_for(aw.bank_admin)
    response = client.post("/bank/api-tokens/", {"name": "勘定系システム"})
    assert response.status_code == 200 and 'id="issued-token"' in response.content.decode()
    token = ApiToken.objects.get(deposit_bank=aw.bank)
    assert token.user.deposit_bank == aw.bank and token.user.bank_branch is None
    assert client.post(f"/bank/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and not User.objects.get(pk=token.user_id).is_active


def test_nobody_else_reaches_a_banks_tokens(aw: AdvanceWorld) -> None:
    issued = api_token_create(by=aw.bank_admin, name="勘定系", deposit_bank=aw.bank, now=timezone.now())
    branch_admin = make_user("judy", deposit_bank=aw.bank, bank_branch=aw.bank_branch, role=Role.ORG_ADMIN)
    other_admin = make_user("ken", deposit_bank=aw.other_bank, role=Role.ORG_ADMIN)
    for user in (aw.bank_user, branch_admin, aw.world.contractor_user, aw.world.approver):
        client = client_for(user)
        assert client.get("/bank/api-tokens/").status_code == 404
        assert client.post("/bank/api-tokens/", {"name": "裏口"}).status_code == 404
        assert client.post(f"/bank/api-tokens/{issued.token.pk}/revoke/").status_code == 404
    # Another bank's 管理者 has a token page of its own, without ours.
    client = client_for(other_admin)
    assert issued.token.prefix not in client.get("/bank/api-tokens/").content.decode()
    assert client.post(f"/bank/api-tokens/{issued.token.pk}/revoke/").status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert ApiToken.objects.filter(deposit_bank=aw.bank).count() == 1
