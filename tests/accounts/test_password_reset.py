"""Password reset by e-mail, through the outbox; the same answer for unknown addresses."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from esurety.accounts.services import member_invite
from esurety.audit.models import AuditEntry
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import User
from tests.accounts.helpers import link_in, login, set_password_through_link
from tests.factories import PASSWORD, World

NEW_PASSWORD = "Kaisha-Shin-2026!"


def request_reset(client: Client, email: str, ip: str = "192.0.2.20"):
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=ip, follow=True)


def test_reset_mail_goes_to_the_outbox_and_its_link_sets_a_new_password(world: World, client: Client) -> None:
    page = request_reset(client, "ALICE@example.com")
    assert page.redirect_chain[-1][0] == "/password-reset/done/"
    message = OutboxMessage.objects.get(template="password_reset")
    assert message.to == ["alice@example.com"]
    assert "パスワード再設定" in message.subject
    assert "お客様ID: alice" in message.body_text

    done = set_password_through_link(client, link_in(message), NEW_PASSWORD)
    assert "パスワードを設定しました" in done.content.decode()
    assert AuditEntry.objects.filter(action="user.password_set", object_id=str(world.contractor_user.pk)).exists()

    assert "正しくありません" in login(Client(), "alice", PASSWORD).content.decode()
    assert login(Client(), "alice", NEW_PASSWORD)["Location"] == "/contractor/"


def test_link_works_only_once(world: World, client: Client) -> None:
    request_reset(client, "alice@example.com")
    link = link_in(OutboxMessage.objects.get(template="password_reset"))
    set_password_through_link(client, link, NEW_PASSWORD)
    again = Client().get(link, follow=True).content.decode()
    assert "このリンクは使用済みか、有効期限が切れています。" in again


def test_weak_password_is_refused_in_japanese(world: World, client: Client) -> None:
    request_reset(client, "alice@example.com")
    link = link_in(OutboxMessage.objects.get(template="password_reset"))
    opened = client.get(link, follow=True)
    response = client.post(opened.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abd"})
    page = response.content.decode()
    assert "確認用のパスワードが一致しません。" in page
    assert 'aria-invalid="true"' in page
    assert login(Client(), "alice", PASSWORD).status_code == 302


def test_unknown_address_gets_the_same_page_and_no_mail(world: World, client: Client) -> None:
    known = request_reset(client, "alice@example.com")
    unknown = request_reset(Client(), "nobody@example.com")
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content.decode() == known.content.decode()
    assert OutboxMessage.objects.filter(template="password_reset").count() == 1


def test_invalid_address_is_explained(db: None, client: Client) -> None:
    response = client.post("/password-reset/", {"email": "not-an-address"})
    assert response.status_code == 200
    assert "メールアドレスの形式が正しくありません。" in response.content.decode()


def test_reset_requests_are_limited_per_address_without_saying_whether_it_exists(world: World) -> None:
    for i in range(3):
        request_reset(Client(), "alice@example.com", ip=f"192.0.2.{30 + i}")
    fourth = request_reset(Client(), "alice@example.com", ip="192.0.2.40")
    assert fourth.redirect_chain[-1][0] == "/password-reset/done/"
    assert OutboxMessage.objects.filter(template="password_reset").count() == 3


def test_reset_requests_are_limited_per_client_address(db: None) -> None:
    client = Client()
    for i in range(10):
        assert request_reset(client, f"x{i}@example.com", ip="192.0.2.60").redirect_chain
    eleventh = request_reset(client, "y@example.com", ip="192.0.2.60")
    assert eleventh.redirect_chain == []
    assert "受付を一時停止しています" in eleventh.content.decode()


def test_invited_user_whose_link_expired_can_get_a_new_one(world: World, client: Client) -> None:
    invited = member_invite(
        by=world.contractor_user, email="late@example.com", display_name="遅刻 四郎", now=timezone.now()
    )
    request_reset(client, "late@example.com")
    mail = OutboxMessage.objects.get(template="password_reset")
    assert mail.to == ["late@example.com"]
    set_password_through_link(Client(), link_in(mail), NEW_PASSWORD)
    assert login(Client(), invited.username, NEW_PASSWORD)["Location"] == "/contractor/"


def test_removed_user_gets_no_reset_mail(world: World, client: Client) -> None:
    User.objects.filter(pk=world.contractor_user.pk).update(is_active=False)
    request_reset(client, "alice@example.com")
    assert not OutboxMessage.objects.filter(template="password_reset").exists()
