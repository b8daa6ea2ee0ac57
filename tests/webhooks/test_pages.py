"""「Webhook設定」 in both portals: registration, the secret shown once, deactivation, the log."""

from __future__ import annotations

import re

import pytest
from cryptography.exceptions import InvalidTag
from django.test import Client, override_settings
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees.services import guarantee_cancel
from esurety.parties.models import Role, User
from esurety.webhooks import signing
from esurety.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.factories import World, make_guarantee, make_orderer, make_surety, make_user
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, subscribe, verify
from tests.webhooks.receiver import Receiver

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{40,}")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(client: Client, base: str, url: str, events: list[str], name: str = "") -> str:
    return client.post(base, {"name": name, "url": url, "events": events}).content.decode()


@pytest.mark.parametrize("portal", ["verify", "office"])
def test_an_administrator_registers_a_url_and_sees_the_secret_once(
    world: World, admins: Admins, receiver: Receiver, portal: str
) -> None:
    admin = admins.orderer if portal == "verify" else admins.surety
    base = f"/{portal}/webhooks/"
    client = login(admin)
    page = client.get(base).content.decode()
    assert "Webhook設定" in page and "送信先は登録されていません" in page
    # What the organisation will be told: an orderer, only of the guarantees it has verified.
    told_only_verified = "まだ確認していない保証契約のお知らせは送りません" in page
    assert told_only_verified is (portal == "verify")

    answer = register(client, base, receiver.url, ["amended", "cancelled"], name="電子契約システム")
    (secret,) = set(SECRET.findall(answer))
    assert "この画面でのみ表示します" in answer
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.name) == (
        receiver.url,
        ["amended", "cancelled"],
        "電子契約システム",
    )
    assert (endpoint.orderer if portal == "verify" else endpoint.surety) == (admin.orderer or admin.surety)
    assert secret not in endpoint.secret_sealed
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.actor == admin and entry.after is not None and entry.after["url"] == receiver.url
    assert secret not in str(entry.after)

    # Shown once: the list afterwards has its last characters only.
    later = client.get(base).content.decode()
    assert not SECRET.search(later)
    assert f"whsec_…{secret[-4:]}" in later and receiver.url in later and "変更（金額・工期）、解約" in later

    # The secret shown is the one that signs (the orderer, once it has verified the guarantee).
    g = make_guarantee(world)
    verify(world.orderer_user, g)
    guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())
    assert deliver_webhooks() == 1
    assert receiver.requests[0].signed_by(secret)
    log = client.get(base).content.decode()
    assert "送信済" in log and "電子契約システム" in log


def test_the_tab_is_shown_to_administrators_only(world: World, admins: Admins) -> None:
    assert "Webhook設定" in login(admins.orderer).get("/verify/").content.decode()
    assert "Webhook設定" not in login(world.orderer_user).get("/verify/").content.decode()
    # In the back office it is a page of the 設定 group, shown in that group's row.
    assert "Webhook設定" in login(admins.surety).get("/office/premium-rates/").content.decode()
    assert "Webhook設定" not in login(world.approver).get("/office/premium-rates/").content.decode()


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("http://example.com/hook", ["issued"], "https:// で始まる"),
        ("https://10.0.0.5/hook", ["issued"], "社内ネットワーク"),
        ("https://169.254.169.254/latest/meta-data", ["issued"], "社内ネットワーク"),
        ("https://user:pass@example.com/hook", ["issued"], "利用者名・パスワード"),
        ("ftp://example.com/hook", ["issued"], "https:// で始まる"),
        ("https://example.com/hook", [], "通知するイベントを1つ以上選んでください"),
        ("", ["issued"], "このフィールドは必須です"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(
    world: World, admins: Admins, url: str, events: list[str], message: str
) -> None:
    response = login(admins.orderer).post("/verify/webhooks/", {"url": url, "events": events})
    assert response.status_code == 200
    answer = response.content.decode()
    assert message in answer and not SECRET.search(answer)
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook.create").exists()


def test_plain_http_to_this_machine_only_outside_production(world: World, admins: Admins) -> None:
    client = login(admins.orderer)
    with override_settings(WEBHOOK_ALLOW_LOCAL=False):
        answer = register(client, "/verify/webhooks/", "http://127.0.0.1:8000/hook", ["viewed"])
        assert "https:// で始まる" in answer
        answer = register(client, "/verify/webhooks/", "https://localhost/hook", ["viewed"])
        assert "このサーバー自身のアドレス" in answer
    assert not WebhookEndpoint.objects.exists()
    assert SECRET.search(register(client, "/verify/webhooks/", "http://127.0.0.1:8000/hook", ["viewed"]))


def test_private_networks_only_when_configured_and_never_the_metadata_address(world: World, admins: Admins) -> None:
    client = login(admins.orderer)
    with override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=True):
        assert "社内ネットワーク" in register(client, "/verify/webhooks/", "https://169.254.169.254/x", ["viewed"])
        assert SECRET.search(register(client, "/verify/webhooks/", "https://10.0.0.5/hook", ["viewed"]))
    assert WebhookEndpoint.objects.get().url == "https://10.0.0.5/hook"


def test_the_same_url_twice_is_refused_but_may_return_after_deactivation(world: World, admins: Admins) -> None:
    client = login(admins.orderer)
    first = subscribe(admins.orderer, "https://hooks.example.com/esurety")
    hook = "https://hooks.example.com/esurety"
    assert "このURLは登録済みです" in register(client, "/verify/webhooks/", hook, ["viewed"])
    assert WebhookEndpoint.objects.count() == 1

    response = client.post(f"/verify/webhooks/{first.endpoint.pk}/deactivate/", follow=True)
    assert "を無効にしました" in response.content.decode()
    first.endpoint.refresh_from_db()
    assert not first.endpoint.is_active and first.endpoint.deactivated_by == admins.orderer
    entry = AuditEntry.objects.get(action="webhook.deactivate")
    assert entry.actor == admins.orderer and entry.object_id == str(first.endpoint.pk)
    again = client.post(f"/verify/webhooks/{first.endpoint.pk}/deactivate/", follow=True).content.decode()
    assert "この送信先はすでに無効です" in again

    assert SECRET.search(register(client, "/verify/webhooks/", hook, ["viewed"]))
    assert WebhookEndpoint.objects.filter(is_active=True).count() == 1


def test_a_sealed_secret_opens_only_for_its_own_url() -> None:
    sealed = signing.secret_seal("whsec_abc", url="https://a.example/hook")
    assert signing.secret_unseal(sealed, url="https://a.example/hook") == "whsec_abc"
    with pytest.raises(InvalidTag):
        signing.secret_unseal(sealed, url="https://b.example/hook")


# ---------------------------------------------------------------------------
# Isolation: another organisation's users (and the organisation's non-administrators) get 404.


@pytest.fixture
def configured(world: World, admins: Admins) -> dict[str, dict[str, int]]:
    """Each portal's admin has an endpoint and a failed delivery (so 「再送」 would be allowed)."""
    ids: dict[str, dict[str, int]] = {}
    for portal, admin in (("verify", admins.orderer), ("office", admins.surety)):
        ids[portal] = {"endpoint": subscribe(admin, f"https://{portal}.example.com/hook", ["viewed"]).endpoint.pk}
    verify(world.orderer_user, make_guarantee(world))
    for d in world.orderer.webhook_endpoints.get().deliveries.all():
        ids["verify"]["delivery"] = d.pk
    for d in world.surety.webhook_endpoints.get().deliveries.all():
        ids["office"]["delivery"] = d.pk
    WebhookDelivery.objects.update(status=DeliveryStatus.FAILED, last_error="HTTP 500")
    return ids


def requests_for(portal: str, ids: dict[str, int]) -> dict[str, tuple[str, str]]:
    base = f"/{portal}/webhooks/"
    return {
        "page": ("get", base),
        "log": ("get", base + "?status=FAILED"),
        "register": ("post", base),
        "deactivate": ("post", f"{base}{ids['endpoint']}/deactivate/"),
        "resend": ("post", f"{base}deliveries/{ids['delivery']}/resend/"),
    }


def outsiders(world: World, portal: str) -> dict[str, User]:
    other_orderer = make_orderer("鳴門市長")
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    common = {
        "contractor": world.contractor_user,
        "other_orderer_admin": make_user("naruto", orderer=other_orderer, role=Role.ORG_ADMIN),
        "other_surety_admin": make_user("east", surety=other_surety, role=Role.SURETY_ADMIN),
    }
    if portal == "verify":
        surety_admin = User.objects.get(username="suretyadmin")
        return {**common, "orderer_member": world.orderer_user, "surety_admin": surety_admin}
    return {
        **common,
        "clerk": world.clerk,
        "approver": world.approver,
        "branch_admin": make_user("branchadmin", surety=world.surety, branch=world.branch, role=Role.SURETY_ADMIN),
        "orderer_admin": User.objects.get(username="ordadmin"),
    }


def send(client: Client, method: str, url: str) -> int:
    if method == "get":
        return client.get(url).status_code
    return client.post(url, {"url": "https://evil.example.com/hook", "events": ["issued"]}).status_code


@pytest.mark.parametrize("portal", ["verify", "office"])
def test_the_administrator_reaches_every_url(world: World, configured: dict[str, dict[str, int]], portal: str) -> None:
    """The control for the 404s below: the same requests work for the organisation's administrator."""
    admin = User.objects.get(username="ordadmin" if portal == "verify" else "suretyadmin")
    client = login(admin)
    expected = {"page": 200, "log": 200, "register": 200, "deactivate": 302, "resend": 302}
    for name, (method, url) in requests_for(portal, configured[portal]).items():
        assert send(client, method, url) == expected[name], name


@pytest.mark.parametrize("portal", ["verify", "office"])
def test_everyone_else_gets_404_and_changes_nothing(
    world: World, configured: dict[str, dict[str, int]], portal: str
) -> None:
    ids = configured[portal]
    peer = "other_orderer_admin" if portal == "verify" else "other_surety_admin"
    for who, user in outsiders(world, portal).items():
        client = login(user)
        for name, (method, url) in requests_for(portal, ids).items():
            if who == peer and name in ("page", "log", "register"):
                continue  # their own organisation's settings: see the next test
            assert send(client, method, url) == 404, (who, name)
    endpoint = WebhookEndpoint.objects.get(pk=ids["endpoint"])
    assert endpoint.is_active
    assert endpoint.deliveries.get().status == DeliveryStatus.FAILED
    assert WebhookEndpoint.objects.count() == 2
    assert not AuditEntry.objects.filter(action__startswith="webhook.").exclude(action="webhook.create").exists()


@pytest.mark.parametrize("portal", ["verify", "office"])
def test_another_organisations_administrator_sees_only_their_own(
    world: World, configured: dict[str, dict[str, int]], portal: str
) -> None:
    other = outsiders(world, portal)["other_orderer_admin" if portal == "verify" else "other_surety_admin"]
    page = login(other).get(f"/{portal}/webhooks/?status=FAILED").content.decode()
    assert f"{portal}.example.com" not in page
    assert "送信先は登録されていません" in page and "該当する送信の記録はありません" in page


@pytest.mark.parametrize("portal", ["verify", "office"])
def test_anonymous_users_are_sent_to_the_login(configured: dict[str, dict[str, int]], portal: str) -> None:
    for name, (method, url) in requests_for(portal, configured[portal]).items():
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), name


def test_an_orderer_is_not_offered_issued_which_could_never_reach_it(world: World, admins: Admins) -> None:
    client = login(admins.orderer)
    assert 'value="issued"' not in client.get("/verify/webhooks/").content.decode()
    answer = register(client, "/verify/webhooks/", "https://hooks.example.jp/esurety", ["issued"])
    assert "正しく選択してください" in answer or "選択してください" in answer
    assert not WebhookEndpoint.objects.exists()
    assert 'value="issued"' in login(admins.surety).get("/office/webhooks/").content.decode()
