"""Two systems, end to end: a surety's core system concludes a guarantee over the API, the orderer's
電子契約システム verifies it with the key the API handed over, lists it, and learns of a change —
both by polling /changes and by the webhooks a local HTTP receiver gets, signed.

Each step goes through HTTP with bearer tokens only; the webhook URLs are
registered by each organisation's administrator, as on the settings pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from esurety.audit.services import audit_verify
from esurety.parties.models import Role
from esurety.webhooks.models import events_for_owner
from esurety.webhooks.services import CreatedEndpoint, webhook_endpoint_create
from tests.api.conftest import Api, Tokens
from tests.factories import World, make_user
from tests.queue import deliver_webhooks
from tests.webhooks.receiver import Receiver, receiver

__all__ = ["receiver"]


@dataclass
class Systems:
    surety_entry: Api  # the core system's 担当者 token
    surety_approval: Api  # its 承認者 token: four eyes between the two
    orderer: Api  # the orderer's 電子契約システム


@pytest.fixture
def systems(tokens: Tokens) -> Systems:
    return Systems(Api(tokens.clerk), Api(tokens.approver), Api(tokens.orderer, remote_addr="198.51.100.20"))


@dataclass
class Hooks:
    surety: CreatedEndpoint
    orderer: CreatedEndpoint


@pytest.fixture
def hooks(world: World, receiver: Receiver) -> Hooks:
    """Both organisations' administrators register the receiver for every event, each under its own path."""

    def register(path: str, **owner: object) -> CreatedEndpoint:
        admin = make_user(f"{path}-admin", role=Role.SURETY_ADMIN if "surety" in owner else Role.ORG_ADMIN, **owner)
        org = admin.surety or admin.orderer
        assert org is not None
        return webhook_endpoint_create(
            owner=org,
            by=admin,
            url=f"{receiver.url}?to={path}",
            events=list(events_for_owner(org)),
            now=timezone.now(),
        )

    return Hooks(surety=register("surety", surety=world.surety), orderer=register("orderer", orderer=world.orderer))


def ok(response: object, status: int = 200) -> dict[str, object]:
    assert response.status_code == status, response.content.decode()  # type: ignore[attr-defined]
    return dict(response.json())  # type: ignore[attr-defined]


def test_surety_concludes_orderer_verifies_lists_and_sees_the_change(
    world: World, systems: Systems, hooks: Hooks, receiver: Receiver
) -> None:
    # 1. The surety's core system enters the application the contractor made with it…
    app = ok(
        systems.surety_entry.post(
            "/applications",
            {
                "contractor_id": world.contractor.pk,
                "branch_id": world.branch.pk,
                "orderer_id": world.orderer.pk,
                "kind": "ADVANCE",
                "work_category": "WORKS",
                "work_name": "〇〇道路改良工事",
                "contract_date": "2026-04-10",
                "completion_date": "2027-03-31",
                "contract_price": 100_000_000,
                "guaranteed_amount": 40_000_000,
                "deposit_bank": "〇〇銀行 ▲▲支店",
            },
        ),
        201,
    )
    app_id = app["id"]
    # 2. …reviews it, has the other token approve it, confirms the premium and concludes.
    ok(systems.surety_entry.post(f"/applications/{app_id}/start-review"))
    approved = ok(systems.surety_approval.post(f"/applications/{app_id}/approve"))
    assert approved["status"] == {"code": "APPROVED", "label": "承認"}
    ok(systems.surety_entry.post(f"/applications/{app_id}/confirm-payment", {"received_on": "2026-04-12"}))
    concluded = ok(systems.surety_entry.post(f"/applications/{app_id}/conclude"))
    guarantee = concluded["guarantee"]
    assert isinstance(guarantee, dict)
    number, key = guarantee["number"], concluded["access_key"]
    assert isinstance(key, str) and len(key) == 10

    # 3. The orderer's system verifies number + key (as the contractor hands them over)…
    certificate = ok(systems.orderer.post("/verifications", {"number": number, "key": key}))
    assert certificate["status"] == {"code": "VALID", "label": "有効"}
    assert certificate["guaranteed_amount"] == 40_000_000
    # …and finds it in its received list.
    listed = ok(systems.orderer.get("/certificates"))
    assert [item["number"] for item in listed["items"]] == [number]  # type: ignore[index, union-attr]
    since = timezone.now().isoformat()

    # 4. The surety amends the amount (entered by one token, approved by the other)…
    request = ok(
        systems.surety_entry.post(
            f"/guarantees/{number}/amendment-requests",
            {
                "amendment_type": "AMOUNT",
                "contract_price": 90_000_000,
                "guaranteed_amount": 36_000_000,
                "effective_on": "2026-06-01",
                "reason": "設計変更による減額",
            },
        ),
        201,
    )
    ok(systems.surety_approval.post(f"/amendment-requests/{request['id']}/approve"))

    # 5. …and the orderer's system learns of it from /changes, then reads version 2.
    changes = ok(systems.orderer.get("/changes", {"since": since}))
    items = changes["items"]
    assert isinstance(items, list) and len(items) == 1
    assert items[0]["number"] == number and items[0]["event"]["code"] == "AMENDED" and items[0]["version"] == 2
    assert ok(systems.orderer.get("/certificates"))["items"][0]["status"]["code"] == "AMENDED"  # type: ignore[index]
    now_reading = ok(systems.orderer.get(f"/certificates/{number}"))
    assert now_reading["version"] == 2 and now_reading["guaranteed_amount"] == 36_000_000
    assert now_reading["changed_since_seen"] is True
    # Every step is in one unbroken audit chain, each attributed to its system.
    assert audit_verify() is None

    # 6. The worker delivers the webhooks: the surety's system hears of everything; the orderer's
    # only from its own verification on (it learns of a certificate through the key, not before).
    assert deliver_webhooks() == 5
    heard: dict[str, list[str]] = {"surety": [], "orderer": []}
    for request in receiver.requests:
        to = request.path.rsplit("=", 1)[1]
        assert request.signed_by(getattr(hooks, to).secret)
        assert request.json["data"]["number"] == number
        assert key.encode() not in request.body
        heard[to].append(request.event)
    assert heard == {"surety": ["issued", "viewed", "amended"], "orderer": ["viewed", "amended"]}
    assert deliver_webhooks() == 0  # delivered once, nothing left
