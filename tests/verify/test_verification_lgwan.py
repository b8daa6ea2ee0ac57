"""Issue 11 item 12: municipalities share outbound addresses (LGWAN).

Thirty failures by others behind one address must not lock out an orderer user
whose own record is clean; a user that failed itself stays under the address
limit, and the per-user and per-number limits hold as before. The portal and
the API (orderer tokens) follow the same rule.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from esurety.accounts import ratelimit
from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.integrations.services import api_token_create
from esurety.parties.models import Orderer, Role, User
from esurety.verification import services
from esurety.verification.models import Receipt
from tests.factories import World, make_guarantee, make_orderer, make_user

LGWAN = "10.255.0.1"  # one outbound address for every municipality behind it (never contacted: a key only)
LOCKED = "一時的に受付を停止しています"


def key_of(g: Guarantee) -> str:
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    return key


def verify(user: User, number: str, key: str, ip: str = LGWAN) -> Receipt:
    return services.certificate_verify(user=user, number=number, key=key, client_ip=ip, now=timezone.now())


def lock_the_address(orderer: Orderer) -> None:
    """Other municipalities' staff behind the same address fail until the address is locked.

    Each user stays under the per-user limit and each guess names a different
    (unknown) number, so only the per-address counter reaches its limit.
    """
    per_user = services.PER_USER.max_attempts - 1
    users = [
        make_user(f"lgwan-{i}", orderer=orderer, role=Role.MEMBER)
        for i in range(-(-services.PER_ADDRESS.max_attempts // per_user))
    ]
    for i in range(services.PER_ADDRESS.max_attempts):
        if ratelimit.is_blocked(services.PER_ADDRESS, LGWAN):
            break  # earlier failures from this address (by the test's own user) counted too
        with pytest.raises(services.VerificationRefused):
            verify(users[i // per_user], f"{9_000_000_000 + i:010d}", "3" * 10)
    # The address is locked now: a user with failures of its own is refused at the gate.
    with pytest.raises(services.VerificationLocked):
        verify(users[0], "9000000999", "3" * 10)


@pytest.fixture
def issued(world: World) -> tuple[Guarantee, str]:
    g = make_guarantee(world)
    return g, key_of(g)


def test_a_clean_orderer_user_behind_a_locked_address_gets_its_certificate(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    lock_the_address(make_orderer("鳴門市長"))
    receipt = verify(world.orderer_user, g.number, key)
    assert receipt.guarantee == g
    assert Receipt.objects.filter(orderer=world.orderer, guarantee=g).exists()


def test_a_user_that_failed_itself_is_still_held_by_the_address_limit(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    colleague = make_user("typo", orderer=world.orderer, role=Role.MEMBER)
    with pytest.raises(services.VerificationRefused):
        verify(colleague, g.number, "3" * 10)
    lock_the_address(make_orderer("鳴門市長"))
    # Even with the right key: its own failure puts it under the address lock.
    with pytest.raises(services.VerificationLocked):
        verify(colleague, g.number, key)
    # From another address it is free again (its own count is below the per-user limit).
    assert verify(colleague, g.number, key, ip="192.0.2.40").guarantee == g


def test_a_clean_user_gets_one_answer_for_every_wrong_guess_then_falls_under_the_lock(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    lock_the_address(make_orderer("鳴門市長"))
    stranger_org = make_orderer("阿南市長")
    other_g = make_guarantee(world, work_name="他の工事", orderer_id=stranger_org.pk)
    guesses = {
        "wrong_number": (f"{int(g.number) + 1:010d}", key),
        "wrong_key": (g.number, key[::-1] if key[::-1] != key else "3" * 10),
        "other_orderer": (other_g.number, key_of(other_g)),
    }
    for case, (number, attempt) in guesses.items():
        clean = make_user(f"clean-{case}", orderer=world.orderer, role=Role.MEMBER)
        with pytest.raises(services.VerificationRefused) as refused:
            verify(clean, number, attempt)
        assert refused.value.message == services.REFUSED_MESSAGE
        # One failure of its own: the locked address now holds it, right key or not.
        with pytest.raises(services.VerificationLocked):
            verify(clean, g.number, key)


def test_the_per_user_limit_still_holds_a_clean_address(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    for _ in range(services.PER_USER.max_attempts):
        with pytest.raises(services.VerificationRefused):
            verify(world.orderer_user, g.number, "3" * 10, ip="192.0.2.41")
    with pytest.raises(services.VerificationLocked):
        verify(world.orderer_user, g.number, key, ip="192.0.2.42")


def test_the_portal_lets_a_clean_user_through_a_locked_address(world: World, issued: tuple[Guarantee, str]) -> None:
    g, key = issued
    lock_the_address(make_orderer("鳴門市長"))
    client = Client(REMOTE_ADDR=LGWAN)
    client.force_login(world.orderer_user)
    response = client.post("/verify/", {"number": g.number, "key": key}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert LOCKED not in body
    assert "真正な電子証書" in body
    assert Receipt.objects.filter(orderer=world.orderer, guarantee=g).exists()

    failing = make_user("portal-typo", orderer=world.orderer, role=Role.MEMBER)
    typo = Client(REMOTE_ADDR=LGWAN)
    typo.force_login(failing)
    typo.post("/verify/", {"number": g.number, "key": "3" * 10})
    assert LOCKED in typo.post("/verify/", {"number": g.number, "key": key}, follow=True).content.decode()


def _api_post(secret: str, body: dict[str, str]) -> object:
    return Client(REMOTE_ADDR=LGWAN).post(
        "/api/v1/verifications",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_the_api_follows_the_same_rule_and_keeps_429_for_the_limited(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    lock_the_address(make_orderer("鳴門市長"))
    clean = api_token_create(by=None, name="電子契約システム", orderer=world.orderer, now=timezone.now()).secret
    ok = _api_post(clean, {"number": g.number, "key": key})
    assert ok.status_code == 200, ok.content  # type: ignore[attr-defined]
    assert ok.json()["number"] == g.number  # type: ignore[attr-defined]

    failing = api_token_create(by=None, name="別の連携", orderer=world.orderer, now=timezone.now()).secret
    refused = _api_post(failing, {"number": g.number, "key": "3" * 10})
    assert refused.status_code == 404  # type: ignore[attr-defined]
    limited = _api_post(failing, {"number": g.number, "key": key})
    assert limited.status_code == 429  # type: ignore[attr-defined]
    assert limited.json()["code"] == "verification_locked"  # type: ignore[attr-defined]
    assert int(limited["Retry-After"]) > 0  # type: ignore[index]
