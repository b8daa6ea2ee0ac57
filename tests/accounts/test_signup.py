"""利用申込 → approval → 利用開始通知 → password → login; rejection; who may decide."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from esurety.accounts.models import UsageApplication, UsageApplicationStatus
from esurety.accounts.services import usage_application_approve, usage_application_reject
from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Contractor, Role
from tests.accounts.helpers import link_in, login, set_password_through_link
from tests.factories import World, make_surety, make_user

NEW_PASSWORD = "Hajimete-2026-pass"


def signup_data(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "surety": str(world.surety.pk),
        "company_name": "株式会社□□組",
        "postal_code": "７７０−０００１",
        "address": "徳島市□□町1番地",
        "tel": "088-123-4567",
        "representative_title": "代表取締役",
        "representative_name": "四角 一郎",
        "applicant_name": "担当 花子",
        "applicant_email": "hanako@shikaku.example",
    }
    data.update(overrides)
    return data


def submit(client: Client, data: dict[str, str], ip: str = "192.0.2.70"):
    return client.post("/signup/", data, REMOTE_ADDR=ip, follow=True)


def test_signup_page_is_public_and_labelled(world: World, client: Client) -> None:
    page = client.get("/signup/").content.decode()
    for label in ("商号又は名称", "郵便番号", "所在地", "代表者役職", "代表者氏名", "お申込先の保証事業会社"):
        assert label in page
    assert '<label for="id_applicant_email"' in page


def test_signup_creates_a_received_application(world: World, client: Client) -> None:
    response = submit(client, signup_data(world))
    assert response.redirect_chain[-1][0] == "/signup/done/"
    assert "利用申込を受け付けました" in response.content.decode()
    ua = UsageApplication.objects.get()
    assert ua.status == UsageApplicationStatus.RECEIVED
    assert ua.get_status_display() == "受付"
    assert ua.surety == world.surety
    assert ua.postal_code == "770-0001"  # 全角 accepted and normalised
    assert ua.applicant_email == "hanako@shikaku.example"
    assert AuditEntry.objects.filter(action="usage_application.submit", object_id=str(ua.pk)).exists()
    # Nothing is registered before the surety approves.
    assert not Contractor.objects.filter(name="株式会社□□組").exists()


def test_address_is_a_box_that_autofills_the_whole_address_and_is_kept_on_one_line(
    world: World, client: Client
) -> None:
    # HTML allows autocomplete="street-address" (the whole address) on a textarea only.
    assert re.search(
        r'<textarea name="address"[^>]*autocomplete="street-address"', client.get("/signup/").content.decode()
    )
    submit(client, signup_data(world, address="徳島市□□町\r\n1番地  □□ビル"))
    assert UsageApplication.objects.get().address == "徳島市□□町 1番地 □□ビル"


def test_signup_errors_show_beside_the_field(world: World, client: Client) -> None:
    response = submit(client, signup_data(world, postal_code="12", company_name="", applicant_email="x@"))
    page = response.content.decode()
    assert response.redirect_chain == []
    assert "郵便番号は7桁の数字で入力してください" in page
    assert "商号又は名称を入力してください。" in page
    assert "メールアドレスの形式が正しくありません。" in page
    assert (
        'id="id_postal_code_error"' in page
        and 'aria-describedby="id_postal_code_helptext id_postal_code_error"' in page
    )
    assert UsageApplication.objects.count() == 0


def test_signup_is_limited_per_client_address(world: World, client: Client) -> None:
    for i in range(5):
        submit(client, signup_data(world, applicant_email=f"a{i}@example.com"), ip="192.0.2.71")
    sixth = submit(client, signup_data(world, applicant_email="a6@example.com"), ip="192.0.2.71")
    assert "受付を一時停止しています" in sixth.content.decode()
    assert UsageApplication.objects.count() == 5


def test_approve_registers_company_and_first_user_who_sets_a_password_and_logs_in(world: World, client: Client) -> None:
    submit(client, signup_data(world))
    ua = UsageApplication.objects.get()
    ua = usage_application_approve(usage_application=ua, by=world.clerk, now=timezone.now())

    assert ua.status == UsageApplicationStatus.APPROVED
    contractor = ua.contractor
    user = ua.first_user
    assert contractor is not None and user is not None
    assert contractor.name == "株式会社□□組" and contractor.postal_code == "770-0001"
    assert contractor.representative_name == "四角 一郎"
    assert user.contractor_id == contractor.pk and user.role == Role.ORG_ADMIN
    assert user.email == "hanako@shikaku.example" and user.display_name == "担当 花子"
    assert not user.has_usable_password()
    assert len(user.username) == 8 and user.username.isdigit()
    assert {"usage_application.approve", "user.create"} <= set(AuditEntry.objects.values_list("action", flat=True))

    mail = OutboxMessage.objects.get(template="usage_started")
    assert mail.to == ["hanako@shikaku.example"]
    assert "利用開始通知" in mail.subject
    assert f"お客様ID: {user.username}" in mail.body_text

    # Before a password is set, nothing logs in.
    assert "正しくありません" in login(Client(), user.username, "any-guess-at-all").content.decode()
    done = set_password_through_link(Client(), link_in(mail), NEW_PASSWORD)
    assert "パスワードを設定しました" in done.content.decode()
    fresh = Client()
    assert login(fresh, user.username, NEW_PASSWORD, ip="192.0.2.72")["Location"] == "/contractor/"
    # And the first user is the company's administrator.
    assert fresh.get("/account/members/").status_code == 200


def test_reject_records_the_reason_and_tells_the_applicant(world: World, client: Client) -> None:
    submit(client, signup_data(world))
    ua = UsageApplication.objects.get()
    with pytest.raises(DomainError):
        usage_application_reject(usage_application=ua, by=world.clerk, reason="  ", now=timezone.now())
    ua = usage_application_reject(
        usage_application=ua, by=world.clerk, reason="登記事項証明書の商号と一致しません。", now=timezone.now()
    )
    assert ua.status == UsageApplicationStatus.REJECTED
    assert ua.contractor is None and ua.first_user is None
    assert not Contractor.objects.filter(name="株式会社□□組").exists()
    mail = OutboxMessage.objects.get(template="usage_rejected")
    assert mail.to == ["hanako@shikaku.example"]
    assert "登記事項証明書の商号と一致しません。" in mail.body_text
    assert AuditEntry.objects.filter(action="usage_application.reject", object_id=str(ua.pk)).exists()
    # A decided application cannot be decided again.
    with pytest.raises(InvalidStateError):
        usage_application_approve(usage_application=ua, by=world.clerk, now=timezone.now())


def test_only_staff_of_the_chosen_surety_decide(world: World, client: Client) -> None:
    submit(client, signup_data(world))
    ua = UsageApplication.objects.get()
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=1_010_000_001)
    outsider = make_user("east-clerk", surety=other_surety, role=Role.CLERK)
    for by in (outsider, world.contractor_user, world.orderer_user):
        with pytest.raises(NotPermitted):
            usage_application_approve(usage_application=ua, by=by, now=timezone.now())
        with pytest.raises(NotPermitted):
            usage_application_reject(usage_application=ua, by=by, reason="x", now=timezone.now())
    ua.refresh_from_db()
    assert ua.status == UsageApplicationStatus.RECEIVED
    assert not OutboxMessage.objects.exists()


def test_approve_twice_is_refused_and_creates_nothing_more(world: World, client: Client) -> None:
    submit(client, signup_data(world))
    ua = UsageApplication.objects.get()
    usage_application_approve(usage_application=ua, by=world.clerk, now=timezone.now())
    companies = Contractor.objects.count()
    with pytest.raises(InvalidStateError):
        usage_application_approve(usage_application=ua, by=world.approver, now=timezone.now())
    assert Contractor.objects.count() == companies
    assert OutboxMessage.objects.filter(template="usage_started").count() == 1
