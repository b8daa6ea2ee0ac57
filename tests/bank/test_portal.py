"""The bank portal, URL by URL and operation by operation: a bank sees only the accounts it holds,
a branch user only its branch; everyone else gets 404 and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from esurety.advances import services as advances
from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import Withdrawal
from esurety.audit.models import AuditEntry
from esurety.core.clock import business_date
from esurety.parties.models import Contractor, User
from tests.factories import ADVANCE_NOW, AdvanceWorld, World, make_user, ready_account, request


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def outsiders(aw: AdvanceWorld) -> dict[str, User]:
    """Everyone who must not see or touch a request of ▲▲支店 (dave's branch) of 〇〇銀行."""
    w = aw.world
    return {
        "other branch": aw.other_branch_bank_user,
        "other bank": aw.other_bank_user,
        "contractor": w.contractor_user,
        "other contractor": w.other_contractor_user,
        "orderer": w.orderer_user,
        "surety staff": w.approver,
    }


def test_bank_users_land_on_the_bank_portal_after_login(aw: AdvanceWorld) -> None:
    user = aw.bank_user
    user.set_password("Ginko-no-pass-2026")
    user.save()
    response = Client().post("/login/", {"username": user.username, "password": "Ginko-no-pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/bank/"


def test_anonymous_is_sent_to_login(aw: AdvanceWorld) -> None:
    w = request(aw)
    for path in ("/bank/", f"/bank/withdrawals/{w.pk}/", "/bank/withdrawals.csv", "/bank/users/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), path


def test_list_shows_the_branch_requests_to_the_branch_and_the_head_office(aw: AdvanceWorld) -> None:
    w = request(aw, amount=1_234_000)
    for user in (aw.bank_user, aw.bank_admin):
        response = client_for(user).get("/bank/")
        assert response.status_code == 200
        body = response.content.decode()
        assert w.number in body and "1,234,000" in body and "株式会社〇〇建設" in body
        assert response["Cache-Control"].count("no-store") == 1


def test_list_hides_the_request_from_another_branch_and_another_bank(aw: AdvanceWorld) -> None:
    w = request(aw)
    for user in (aw.other_branch_bank_user, aw.other_bank_user):
        response = client_for(user).get("/bank/")
        assert response.status_code == 200
        assert w.number not in response.content.decode()
    # A branch user asking for another branch still sees only its own.
    response = client_for(aw.other_branch_bank_user).get(f"/bank/?branch={aw.bank_branch.pk}")
    assert w.number not in response.content.decode()


@pytest.mark.parametrize("who", ["contractor", "other contractor", "orderer", "surety staff"])
def test_the_portal_does_not_exist_for_other_kinds_of_users(aw: AdvanceWorld, who: str) -> None:
    w = request(aw)
    client = client_for(outsiders(aw)[who])
    for path in ("/bank/", f"/bank/withdrawals/{w.pk}/", "/bank/withdrawals.csv", "/bank/users/"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "who", ["other branch", "other bank", "contractor", "other contractor", "orderer", "surety staff"]
)
def test_outsiders_get_404_on_a_request_and_cannot_pay_or_return_it(aw: AdvanceWorld, who: str) -> None:
    w = request(aw)
    client = client_for(outsiders(aw)[who])
    assert client.get(f"/bank/withdrawals/{w.pk}/").status_code == 404
    today = business_date().isoformat()
    assert client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": today}).status_code == 404
    assert client.post(f"/bank/withdrawals/{w.pk}/return/", {"reason": "確認できません"}).status_code == 404
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED and w.paid_on is None and w.return_reason == ""
    assert not AuditEntry.objects.filter(action__in=["withdrawal.pay", "withdrawal.return"]).exists()


def test_request_page_shows_payee_account_line_and_what_is_left(aw: AdvanceWorld) -> None:
    request(aw, line_no=1, amount=4_000_000)
    w = request(aw, line_no=1, amount=1_000_000)
    body = client_for(aw.bank_user).get(f"/bank/withdrawals/{w.pk}/").content.decode()
    assert "株式会社△△資材" in body and "□□信用金庫" in body and "7654321" in body and "カ)サンカクシザイ" in body
    assert "1,000,000円" in body
    assert "材料費" in body and "15,000,000円" in body  # the line
    assert "依頼中" in body and "5,000,000円" in body  # both requests wait on the line
    # Not paid yet: the whole line; after paying this one, 14,000,000 (the other request still waits).
    assert "14,000,000円" in body
    assert "払出可" in body and "払出停止中" not in body


def test_bank_pays_with_the_payment_date(aw: AdvanceWorld) -> None:
    w = request(aw)
    client = client_for(aw.bank_user)
    paid_on = business_date().isoformat()
    response = client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": paid_on})
    assert response.status_code == 302 and response["Location"] == f"/bank/withdrawals/{w.pk}/"
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.PAID and w.paid_on == business_date() and w.acted_by == aw.bank_user
    page = client.get(f"/bank/withdrawals/{w.pk}/").content.decode()
    assert "払出済にしました" in page and "払出済にする" not in page


def test_head_office_user_pays_for_any_branch_and_returns_with_a_reason(aw: AdvanceWorld) -> None:
    w = request(aw)
    response = client_for(aw.bank_admin).post(
        f"/bank/withdrawals/{w.pk}/return/", {"reason": "口座名義が振込先と一致しません"}
    )
    assert response.status_code == 302
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.RETURNED and w.return_reason == "口座名義が振込先と一致しません"


def test_a_payment_date_in_the_future_is_refused_beside_its_field(aw: AdvanceWorld) -> None:
    w = request(aw)
    tomorrow = (business_date() + dt.timedelta(days=1)).isoformat()
    response = client_for(aw.bank_user).post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": tomorrow})
    assert response.status_code == 400
    assert "払出日に未来の日付は入力できません。" in response.content.decode()
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_missing_date_and_reason_are_named(aw: AdvanceWorld) -> None:
    w = request(aw)
    client = client_for(aw.bank_user)
    assert "払出日を入力してください。" in client.post(f"/bank/withdrawals/{w.pk}/pay/", {}).content.decode()
    response = client.post(f"/bank/withdrawals/{w.pk}/return/", {"reason": "  "})
    assert response.status_code == 400 and "差戻しの理由を入力してください。" in response.content.decode()
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_a_stopped_account_is_not_paid(aw: AdvanceWorld) -> None:
    w = request(aw)
    advances.account_stop(account=aw.account, by=aw.world.approver, reason="保証事故の疑い", now=ADVANCE_NOW)
    client = client_for(aw.bank_user)
    page = client.get(f"/bank/withdrawals/{w.pk}/").content.decode()
    assert "払出停止中" in page and "保証事故の疑い" in page
    response = client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": business_date().isoformat()})
    assert response.status_code == 409
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_paying_twice_is_a_conflict(aw: AdvanceWorld) -> None:
    w = request(aw)
    client = client_for(aw.bank_user)
    today = business_date().isoformat()
    assert client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": today}).status_code == 302
    response = client.post(f"/bank/withdrawals/{w.pk}/return/", {"reason": "誤り"})
    assert response.status_code == 404 or response.status_code == 409
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.PAID


def _numbers(client: Client, query: str) -> set[str]:
    body = client.get("/bank/" + query).content.decode()
    return {n for n in Withdrawal.objects.values_list("number", flat=True) if n in body}


def test_filters_state_date_branch_and_contractor(aw: AdvanceWorld) -> None:
    first = request(aw, amount=1_000_000)
    second = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=second, by=aw.bank_user, reason="誤り", now=ADVANCE_NOW)
    client = client_for(aw.bank_admin)
    assert _numbers(client, "") == {first.number, second.number}
    assert _numbers(client, "?status=RETURNED") == {second.number}
    assert _numbers(client, "?status=REQUESTED") == {first.number}
    day = ADVANCE_NOW.date()
    assert _numbers(client, f"?date_from={day}&date_to={day}") == {first.number, second.number}
    assert _numbers(client, f"?date_from={day + dt.timedelta(days=1)}") == set()
    assert _numbers(client, f"?branch={aw.bank_branch.pk}") == {first.number, second.number}
    assert _numbers(client, f"?branch={aw.other_bank_branch.pk}") == set()
    assert _numbers(client, f"?contractor={aw.world.contractor.pk}") == {first.number, second.number}


def test_wrong_filters_are_named_and_list_nothing(aw: AdvanceWorld) -> None:
    w = request(aw)
    client = client_for(aw.bank_admin)
    response = client.get("/bank/?date_from=2026-06-01&date_to=2026-05-01")
    assert response.status_code == 400
    body = response.content.decode()
    assert "依頼日（まで）は、依頼日（から）以降の日付にしてください。" in body and w.number not in body
    # Another contractor (no account at this bank) is not a choice; nor is another bank's branch id.
    assert client.get(f"/bank/?contractor={aw.world.other_contractor.pk}").status_code == 400
    other_bank_branch = aw.other_bank.branches.get()
    assert client.get(f"/bank/?branch={other_bank_branch.pk}").status_code == 400
    assert client.get("/bank/?status=NOPE&page=abc").status_code == 400


def test_pages_of_the_list(aw: AdvanceWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("esurety.bank.views.withdrawals.PAGE_SIZE", 2)
    made = [request(aw, amount=100_000 * (i + 1)) for i in range(5)]
    client = client_for(aw.bank_user)
    seen: set[str] = set()
    for page in (1, 2, 3):
        seen |= _numbers(client, f"?page={page}")
    assert seen == {w.number for w in made}
    assert "5件中 5 - 5件" in client.get("/bank/?page=3").content.decode()


def test_csv_export_follows_the_filters_in_utf8_or_cp932_with_formulas_neutralised(aw: AdvanceWorld) -> None:
    Contractor.objects.filter(pk=aw.world.contractor.pk).update(name="=HYPERLINK(1)建設")
    first = request(aw, amount=1_000_000)
    second = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=second, by=aw.bank_user, reason="誤り", now=ADVANCE_NOW)
    client = client_for(aw.bank_user)
    response = client.get("/bank/withdrawals.csv?status=REQUESTED")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff払出依頼番号,状態")
    assert first.number in text and second.number not in text
    assert "'=HYPERLINK(1)建設" in text and ",=HYPERLINK" not in text
    assert "株式会社△△資材" in text and "7654321" in text

    response = client.get("/bank/withdrawals.csv?encoding=cp932")
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    data = b"".join(response.streaming_content)
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("cp932")
    assert first.number in text and second.number in text and "差戻し" in text


def test_csv_of_another_bank_or_branch_has_none_of_these_requests(aw: AdvanceWorld) -> None:
    w = request(aw)
    for user in (aw.other_branch_bank_user, aw.other_bank_user):
        response = client_for(user).get("/bank/withdrawals.csv")
        assert w.number not in b"".join(response.streaming_content).decode("utf-8")


def test_an_inactive_bank_user_is_out(aw: AdvanceWorld) -> None:
    w = request(aw)
    client = client_for(aw.bank_user)
    User.objects.filter(pk=aw.bank_user.pk).update(is_active=False)
    assert client.get(f"/bank/withdrawals/{w.pk}/").status_code in (302, 404)
    client.post(f"/bank/withdrawals/{w.pk}/pay/", {"paid_on": business_date().isoformat()})
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.REQUESTED


def test_member_role_of_bank_without_branch_sees_whole_bank(aw: AdvanceWorld) -> None:
    head_office_member = make_user("ivan", deposit_bank=aw.bank)
    w = request(aw)
    assert w.number in client_for(head_office_member).get("/bank/").content.decode()
