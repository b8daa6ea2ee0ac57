"""One お客様ID and password for every portal; lockout per ID and per address; idle timeout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from esurety.parties.models import User
from tests.accounts.helpers import login
from tests.factories import PASSWORD, World

WRONG = "お客様IDまたはパスワードが正しくありません。"
LOCKED = "ログインに続けて失敗したため、一時的にログインを制限しています。"


def test_login_page_is_japanese_and_labelled(db: None, client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert '<html lang="ja">' in page
    assert '<label for="id_username"' in page and "お客様ID" in page
    assert '<label for="id_password"' in page and "パスワード" in page
    assert ">ログイン</button>" in page


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("contractor_user", "/contractor/"),
        ("orderer_user", "/verify/home/"),
        ("clerk", "/office/home/"),
    ],
)
def test_each_kind_of_user_lands_in_its_portal(world: World, client: Client, persona: str, landing: str) -> None:
    user: User = getattr(world, persona)
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_superuser_lands_in_admin(db: None, client: Client) -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert login(client, "root", PASSWORD)["Location"] == "/admin/"


def test_safe_next_is_honoured_and_foreign_next_is_not(world: World, client: Client) -> None:
    assert login(client, "alice", PASSWORD, next_url="/contractor/guarantees/?q=1")["Location"] == (
        "/contractor/guarantees/?q=1"
    )
    client.logout()
    assert login(client, "alice", PASSWORD, next_url="https://evil.example/steal")["Location"] == "/contractor/"
    client.logout()
    # A contractor sent to the orderer portal would only meet a 404 there.
    assert login(client, "alice", PASSWORD, next_url="/verify/")["Location"] == "/contractor/"


def test_wrong_password_and_unknown_id_get_the_same_message(world: World, client: Client) -> None:
    wrong_password = login(client, "alice", "not-the-password")
    unknown_id = login(client, "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_id.status_code == 200
    assert WRONG in wrong_password.content.decode()
    assert WRONG in unknown_id.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_wrong_password_message(world: World, client: Client) -> None:
    User.objects.filter(pk=world.contractor_user.pk).update(is_active=False)
    response = login(client, "alice", PASSWORD)
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_id_even_against_the_right_password(world: World, client: Client) -> None:
    for _ in range(4):
        assert WRONG in login(client, "alice", "bad").content.decode()
    fifth = login(client, "alice", "bad").content.decode()
    assert LOCKED in fifth and "約15分後" in fifth
    # The right password during the lock is refused with the same message.
    during = login(client, "alice", PASSWORD).content.decode()
    assert LOCKED in during
    assert "_auth_user_id" not in client.session
    # Typing the ID differently (全角, upper case) does not give fresh attempts.
    assert LOCKED in login(client, "ＡＬＩＣＥ", PASSWORD).content.decode()
    # Another ID from another address is unaffected.
    assert login(Client(), "charlie", PASSWORD, ip="198.51.100.7").status_code == 302


def test_unknown_id_locks_with_the_same_message(world: World, client: Client) -> None:
    for _ in range(5):
        response = login(client, "no-such-id", "bad")
    assert LOCKED in response.content.decode()
    alice = [login(Client(), "alice", "bad", ip="203.0.113.5") for _ in range(5)][-1]
    # Identical wording whether the ID exists or not.
    assert response.content.decode().count(LOCKED) == alice.content.decode().count(LOCKED) == 1


def test_lock_ends_after_fifteen_minutes(world: World, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login(client, "alice", "bad")
        assert LOCKED in login(client, "alice", PASSWORD).content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert LOCKED in login(client, "alice", PASSWORD).content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=5), tick=False):
        assert login(client, "alice", PASSWORD).status_code == 302


def test_success_resets_the_id_counter(world: World, client: Client) -> None:
    for _ in range(4):
        login(client, "alice", "bad")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert WRONG in login(client, "alice", "bad").content.decode()
    assert login(client, "alice", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(world: World, client: Client) -> None:
    ip = "192.0.2.99"
    # Password spraying: few attempts per ID, many IDs, one address.
    for i in range(19):
        assert WRONG in login(client, f"user{i // 4}-{i}", "bad", ip=ip).content.decode()
    assert LOCKED in login(client, "someone-else", "bad", ip=ip).content.decode()
    # Even a valid ID and password from that address must wait …
    assert LOCKED in login(Client(), "alice", PASSWORD, ip=ip).content.decode()
    # … while the same account from elsewhere logs in.
    assert login(Client(), "alice", PASSWORD, ip="192.0.2.100").status_code == 302


def test_admin_login_has_the_same_lockout(db: None, client: Client) -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "bad"}, REMOTE_ADDR="192.0.2.50")
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 200
    assert LOCKED in response.content.decode()


def test_logout_is_post_only_and_ends_the_session(world: World, client: Client) -> None:
    login(client, "alice", PASSWORD)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "ログアウトしました。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_idle_session_is_logged_out(world: World, client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "alice", PASSWORD)
        assert client.get("/account/members/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        # Activity within 30 minutes keeps the session …
        assert client.get("/account/members/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        # … 25 minutes after the last request it is still alive …
        assert client.get("/account/members/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=76), tick=False):
        # … and 31 idle minutes end it.
        response = client.get("/account/members/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/account/members/")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "操作がなかったため、安全のためログアウトしました。" in page
