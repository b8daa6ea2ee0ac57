"""Two-factor login (TOTP, RFC 6238) for surety staff."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from esurety.accounts import totp
from esurety.accounts.models import StaffTotp
from esurety.audit.models import AuditEntry
from esurety.parties.models import Role
from tests.factories import PASSWORD, World, make_user
from tests.office.operations import client_for, other_surety_staff

RFC_SECRET = b"12345678901234567890"
T0 = dt.datetime(2026, 5, 1, 9, 0, 0, tzinfo=dt.UTC)


# -- the algorithm -------------------------------------------------------------------------------


def test_hotp_matches_rfc4226_appendix_d() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(RFC_SECRET, counter) for counter in range(10)] == expected


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc6238_sha1_vectors(unix_time: int, code: str) -> None:
    assert totp.totp(RFC_SECRET, unix_time, digits=8) == code


def test_window_is_one_step_either_side_and_never_backwards() -> None:
    step = totp.time_step(T0)
    for offset in (-1, 0, 1):
        code = totp.hotp(RFC_SECRET, step + offset)
        assert totp.matching_step(RFC_SECRET, code, T0, after_step=None) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step + offset), T0, after_step=None) is None
    # A step at or before the last accepted one is never accepted again.
    assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step), T0, after_step=step) is None
    assert totp.matching_step(RFC_SECRET, totp.hotp(RFC_SECRET, step + 1), T0, after_step=step) == step + 1


def test_provisioning_uri_for_authenticator_apps() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, account="clerk")
    assert uri.startswith("otpauth://totp/esurety%3Aclerk?")
    assert "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in uri
    assert "issuer=esurety" in uri and "digits=6" in uri and "period=30" in uri


# -- helpers ---------------------------------------------------------------------------------------


def secret_on(page: str) -> bytes:
    match = re.search(r'class="secret mono"[^>]*>([A-Z2-7 ]+)<', page)
    assert match, "setup key not shown"
    raw = match.group(1).replace(" ", "")
    return base64.b32decode(raw + "=" * (-len(raw) % 8))


def code_at(secret: bytes, at: dt.datetime, steps: int = 0) -> str:
    return totp.hotp(secret, totp.time_step(at) + steps)


def enrol(client: Client, at: dt.datetime) -> bytes:
    page = client.get("/office/totp/").content.decode()
    secret = secret_on(page)
    response = client.post("/office/totp/", {"code": code_at(secret, at)})
    assert response.status_code == 302, response.content.decode()
    return secret


def password_login(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    return client, response["Location"]


# -- enrolment and login -------------------------------------------------------------------------------


def test_enrol_with_qr_code_then_every_login_needs_a_code(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(T0, tick=False):
        client = client_for(world.clerk)
        page = client.get("/office/totp/").content.decode()
        assert "<svg" in page and "認証アプリ" in page
        secret = secret_on(page)
        # Reloading the page keeps the same secret (the QR code already scanned stays valid).
        assert secret_on(client.get("/office/totp/").content.decode()) == secret
        wrong = client.post("/office/totp/", {"code": "000000" if code_at(secret, T0) != "000000" else "111111"})
        assert "確認コードが正しくありません。" in wrong.content.decode()
        assert client.post("/office/totp/", {"code": code_at(secret, T0)}).status_code == 302

    device = StaffTotp.objects.get(user=world.clerk)
    assert device.confirmed_at is not None
    # Stored encrypted, never in clear, and never logged.
    assert secret not in bytes(device.secret_ciphertext)
    text = base64.b32encode(secret).decode().rstrip("=")
    assert text not in caplog.text and totp.secret_text(secret) not in caplog.text
    assert AuditEntry.objects.filter(action="user.totp_enrol", actor=world.clerk).exists()

    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        later = timezone.now()
        client, landing = password_login("clerk")
        assert landing == "/office/home/"
        # Nothing of the office (nor the admin) opens before the code.
        for url in ("/office/", "/office/imports/", "/office/audit/", "/admin/"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/office/totp/verify/?next=")
        page = client.get("/office/totp/verify/?next=/office/audit/")
        assert "確認コードの入力" in page.content.decode()
        bad = client.post("/office/totp/verify/", {"code": "12345", "next": "/office/audit/"})
        assert "確認コードが正しくありません。" in bad.content.decode()
        ok = client.post("/office/totp/verify/", {"code": code_at(secret, later), "next": "/office/audit/"})
        assert ok.status_code == 302 and ok["Location"] == "/office/audit/"
        assert client.get("/office/audit/").status_code == 200

        # The same code cannot be used again, not even in another session.
        other, _ = password_login("clerk")
        reused = other.post("/office/totp/verify/", {"code": code_at(secret, later), "next": "/office/"})
        assert "確認コードが正しくありません。" in reused.content.decode()
        assert other.get("/office/").status_code == 302

    with time_machine.travel(T0 + dt.timedelta(minutes=5, seconds=30), tick=False):
        # The next step's code works (full-width digits are accepted too).
        code = code_at(secret, timezone.now()).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        assert other.post("/office/totp/verify/", {"code": code, "next": "/office/"})["Location"] == "/office/"


def test_an_open_redirect_is_not_followed(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        secret = enrol(client_for(world.clerk), T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        client, _ = password_login("clerk")
        response = client.post(
            "/office/totp/verify/", {"code": code_at(secret, timezone.now()), "next": "https://evil.example/"}
        )
        assert response["Location"] == "/office/"


def test_wrong_codes_are_rate_limited(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        secret = enrol(client_for(world.clerk), T0)
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        right = code_at(secret, timezone.now())
        wrong = "000000" if right != "000000" else "111111"
        client, _ = password_login("clerk")
        for _ in range(totp.TOTP_PER_USER.max_attempts - 1):
            assert (
                "確認コードが正しくありません。"
                in client.post("/office/totp/verify/", {"code": wrong}).content.decode()
            )
        locked = client.post("/office/totp/verify/", {"code": wrong}, follow=True)
        assert "一時的に受付を停止しています" in locked.content.decode()
        # The half-open session is gone: back to the password.
        assert client.get("/office/").status_code == 302
        assert client.get("/office/")["Location"].startswith("/login/")
        again, _ = password_login("clerk")
        refused = again.post("/office/totp/verify/", {"code": right}, follow=True)
        assert "一時的に受付を停止しています" in refused.content.decode()
        assert again.get("/office/").status_code == 302


def test_staff_without_totp_are_sent_to_set_it_up_when_required(world: World, settings) -> None:
    settings.STAFF_TOTP_REQUIRED = True
    client = client_for(world.approver)
    response = client.get("/office/imports/")
    assert (response.status_code, response["Location"]) == (302, "/office/totp/")
    assert "二要素認証の設定が必要です" in client.get("/office/totp/").content.decode()
    # Contractors and orderers are not concerned.
    assert client_for(world.contractor_user).get("/contractor/").status_code == 200
    with time_machine.travel(T0, tick=False):
        enrol(client, T0)
        assert client.get("/office/imports/").status_code == 200


def test_not_required_in_tests_and_demo_for_staff_without_totp(world: World, settings) -> None:
    settings.STAFF_TOTP_REQUIRED = False
    assert client_for(world.approver).get("/office/imports/").status_code == 200


def test_renewal_keeps_the_old_app_until_the_new_one_is_confirmed(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        client = client_for(world.clerk)
        old = enrol(client, T0)
        page = client.post("/office/totp/", {"action": "renew"}).content.decode()
        new = secret_on(page)
        assert new != old
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        # Not confirmed: the old app still logs in.
        c, _ = password_login("clerk")
        assert c.post("/office/totp/verify/", {"code": code_at(old, timezone.now())}).status_code == 302
        assert c.get("/office/audit/").status_code == 200
        assert c.post("/office/totp/", {"code": code_at(new, timezone.now(), steps=1)}).status_code == 302
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        c2, _ = password_login("clerk")
        refused = c2.post("/office/totp/verify/", {"code": code_at(old, timezone.now())})
        assert "確認コードが正しくありません。" in refused.content.decode()
        assert c2.post("/office/totp/verify/", {"code": code_at(new, timezone.now())}).status_code == 302


def test_administrator_resets_a_colleagues_totp(world: World) -> None:
    admin = make_user("office-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    with time_machine.travel(T0, tick=False):
        enrol(client_for(world.clerk), T0)
        enrol(client_for(admin), T0)
    device = StaffTotp.objects.get(user=world.clerk)
    admin_client = Client()
    admin_client.force_login(admin)
    session = admin_client.session
    session["_esurety_staff_totp_ok"] = admin.pk
    session.save()
    page = admin_client.get("/office/totp/").content.decode()
    assert "職員の二要素認証" in page and "clerk" in page

    # Not for a clerk, nor for another surety's administrator.
    clerk_client = client_for(world.approver)
    assert clerk_client.post(f"/office/totp/staff/{world.clerk.pk}/reset/").status_code == 404
    assert client_for(other_surety_staff()[1]).post(f"/office/totp/staff/{world.clerk.pk}/reset/").status_code == 404
    assert StaffTotp.objects.filter(pk=device.pk).exists()

    response = admin_client.post(f"/office/totp/staff/{world.clerk.pk}/reset/", follow=True)
    assert "二要素認証を解除しました" in response.content.decode()
    assert not StaffTotp.objects.filter(user=world.clerk).exists()
    entry = AuditEntry.objects.get(action="user.totp_reset")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(world.clerk.pk))


@pytest.mark.parametrize("who", ["contractor_user", "orderer_user"])
def test_pages_do_not_exist_for_contractors_and_orderers(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    for url in ("/office/totp/", "/office/totp/verify/"):
        assert client.get(url).status_code == 404
    assert not StaffTotp.objects.exists()
