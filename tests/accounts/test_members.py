"""Company users: an organisation administrator invites and removes; nobody else can, nor across companies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from esurety.accounts.services import member_invite, member_remove
from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Role, User
from tests.accounts.helpers import link_in, login, set_password_through_link
from tests.factories import PASSWORD, World, make_user

NEW_PASSWORD = "Shain-no-pass-2026"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_invite_creates_a_member_of_the_same_company_who_can_log_in(world: World) -> None:
    invited = member_invite(
        by=world.contractor_user, email="Bob@Example.com", display_name="鈴木 次郎", now=timezone.now()
    )
    assert invited.contractor_id == world.contractor.pk and invited.orderer_id is None
    assert invited.role == Role.MEMBER
    assert not invited.has_usable_password()
    assert AuditEntry.objects.filter(action="user.invite", object_id=str(invited.pk)).exists()
    mail = OutboxMessage.objects.get(template="member_invited")
    assert mail.to == ["Bob@example.com"]
    assert "株式会社〇〇建設" in mail.subject
    assert f"お客様ID: {invited.username}" in mail.body_text

    set_password_through_link(Client(), link_in(mail), NEW_PASSWORD)
    client = Client()
    assert login(client, invited.username, NEW_PASSWORD)["Location"] == "/contractor/"
    # A member is not an administrator: the members page does not exist for them.
    assert client.get("/account/members/").status_code == 404


def test_orderer_administrator_invites_into_the_orderer(world: World) -> None:
    admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    invited = member_invite(by=admin, email="kakari@city.example", display_name="係 三郎", now=timezone.now())
    assert invited.orderer_id == world.orderer.pk and invited.contractor_id is None


def test_members_and_staff_cannot_invite(world: World) -> None:
    member = make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    for by in (member, world.clerk, world.orderer_user):
        with pytest.raises(NotPermitted):
            member_invite(by=by, email="x@example.com", display_name="X", now=timezone.now())
    assert not OutboxMessage.objects.exists()


def test_invite_input_is_checked(world: World) -> None:
    with pytest.raises(DomainError) as bad:
        member_invite(by=world.contractor_user, email="not-an-address", display_name=" ", now=timezone.now())
    assert {v.field for v in bad.value.violations} == {"email", "display_name"}
    with pytest.raises(DomainError) as dup:
        member_invite(by=world.contractor_user, email="ALICE@example.com", display_name="重複", now=timezone.now())
    assert dup.value.violations[0].message == "このメールアドレスの利用者は既に登録されています。"
    # The same address in another company is another person's account there.
    member_invite(by=world.other_contractor_user, email="alice@example.com", display_name="別会社", now=timezone.now())


def test_remove_deactivates_and_ends_open_sessions(world: World) -> None:
    bob = make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    bobs_browser = Client()
    assert login(bobs_browser, "bob", PASSWORD).status_code == 302
    member_remove(by=world.contractor_user, user=bob, now=timezone.now())
    bob.refresh_from_db()
    assert not bob.is_active
    assert AuditEntry.objects.filter(action="user.remove", object_id=str(bob.pk)).exists()
    # The open session no longer counts as logged in …
    assert bobs_browser.get("/account/members/").status_code == 302
    # … and the password no longer opens anything.
    assert "正しくありません" in login(Client(), "bob", PASSWORD, ip="192.0.2.81").content.decode()
    with pytest.raises(InvalidStateError):
        member_remove(by=world.contractor_user, user=bob, now=timezone.now())


def test_cannot_remove_yourself_or_another_companys_user(world: World) -> None:
    with pytest.raises(DomainError, match="ご自身を削除することはできません"):
        member_remove(by=world.contractor_user, user=world.contractor_user, now=timezone.now())
    bob = make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    with pytest.raises(NotPermitted):
        member_remove(by=world.other_contractor_user, user=bob, now=timezone.now())
    with pytest.raises(NotPermitted):
        member_remove(by=world.contractor_user, user=world.other_contractor_user, now=timezone.now())
    member = make_user("carol", contractor=world.contractor, role=Role.MEMBER)
    with pytest.raises(NotPermitted):
        member_remove(by=member, user=bob, now=timezone.now())
    bob.refresh_from_db()
    assert bob.is_active


def test_members_page_lists_only_the_own_company(world: World) -> None:
    make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    page = logged_in(world.contractor_user).get("/account/members/").content.decode()
    assert "利用者の管理" in page and "株式会社〇〇建設" in page
    assert "bob@example.com" in page and "alice@example.com" in page
    assert "charlie@example.com" not in page
    assert "ご本人" in page


def test_members_page_is_404_for_everyone_but_organisation_administrators(world: World) -> None:
    member = make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    for user in (member, world.clerk, world.orderer_user):
        assert logged_in(user).get("/account/members/").status_code == 404
    anonymous = Client().get("/account/members/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_invite_and_remove_through_the_page(world: World) -> None:
    client = logged_in(world.contractor_user)
    response = client.post("/account/members/", {"display_name": "鈴木 次郎", "email": "jiro@example.com"}, follow=True)
    assert "招待メールを送信しました" in response.content.decode()
    jiro = User.objects.get(email="jiro@example.com")
    assert "招待中（パスワード未設定）" in response.content.decode()

    bad = client.post("/account/members/", {"display_name": "", "email": "jiro@example.com"})
    assert "氏名を入力してください。" in bad.content.decode()

    confirm = client.get(f"/account/members/{jiro.pk}/remove/")
    assert confirm.status_code == 200 and "jiro@example.com" in confirm.content.decode()
    removed = client.post(f"/account/members/{jiro.pk}/remove/", follow=True)
    assert "削除しました" in removed.content.decode()
    jiro.refresh_from_db()
    assert not jiro.is_active
    # Removed users leave the list and cannot be removed again.
    assert client.get(f"/account/members/{jiro.pk}/remove/").status_code == 404


def test_another_companys_administrator_gets_404_on_remove(world: World) -> None:
    bob = make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    charlie = logged_in(world.other_contractor_user)
    assert charlie.get(f"/account/members/{bob.pk}/remove/").status_code == 404
    assert charlie.post(f"/account/members/{bob.pk}/remove/").status_code == 404
    bob.refresh_from_db()
    assert bob.is_active


def test_removing_yourself_through_the_page_is_explained(world: World) -> None:
    client = logged_in(world.contractor_user)
    response = client.post(f"/account/members/{world.contractor_user.pk}/remove/", follow=True)
    assert "ご自身を削除することはできません。" in response.content.decode()
    world.contractor_user.refresh_from_db()
    assert world.contractor_user.is_active
