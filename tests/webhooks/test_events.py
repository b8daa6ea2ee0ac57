"""Each lifecycle step reaches the subscribed systems, signed, with no access key, and only if it committed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.guarantees.services import amendments, cancellation, issuance
from esurety.parties.models import Role
from esurety.webhooks.models import DeliveryStatus, WebhookDelivery
from esurety.webhooks.services import webhook_endpoint_deactivate
from tests.factories import World, amend_amount, change_period, make_guarantee, make_orderer, make_surety, make_user
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, key_of, subscribe, verify
from tests.webhooks.receiver import Receiver


def field_names(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {n for v in value.values() for n in field_names(v)}
    if isinstance(value, list):
        return {n for v in value for n in field_names(v)}
    return set()


def assert_clean(body: bytes, g: Guarantee) -> None:
    """Nothing an outsider could use to open the certificate: not the key, in any form or field."""
    key = key_of(g)
    assert key not in body.decode().upper()
    assert not [name for name in field_names(json.loads(body)) if "key" in name.lower()]


def test_issued_reaches_the_surety_signed_and_without_the_key(world: World, admins: Admins, receiver: Receiver) -> None:
    for_orderer = subscribe(admins.orderer, receiver.url + "?who=orderer")
    for_surety = subscribe(admins.surety, receiver.url + "?who=surety")

    g = make_guarantee(world)
    assert receiver.requests == []  # nothing is sent inside the transaction
    # The orderer has not been handed number + key yet: it is not told of the guarantee.
    assert deliver_webhooks() == 1
    (r,) = receiver.requests
    assert r.path.endswith("?who=surety")
    assert r.signed_by(for_surety.secret) and not r.signed_by(for_orderer.secret)
    assert r.event == "issued"
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    payload = r.json
    assert payload["type"] == "issued"
    data = payload["data"]
    assert (data["number"], data["kind"], data["version"], data["status"]) == (g.number, "ADVANCE", 1, "ACTIVE")
    assert data["surety"] == {"name": "西日本建設業保証株式会社"}
    assert data["orderer"] == {"name": "徳島市上下水道事業管理者"}
    assert data["guaranteed_amount"] == 40_000_000
    assert_clean(r.body, g)

    # The first verification is one event for both, each delivery signed with its endpoint's secret.
    verify(world.orderer_user, g)
    assert deliver_webhooks() == 2
    viewed = receiver.requests[1:]
    by_path = {r.path.rsplit("=", 1)[1]: r for r in viewed}
    assert set(by_path) == {"orderer", "surety"}
    assert by_path["orderer"].signed_by(for_orderer.secret)
    assert by_path["surety"].signed_by(for_surety.secret)
    assert not by_path["orderer"].signed_by(for_surety.secret)
    assert {r.event for r in viewed} == {"viewed"}
    # One event, one id, two deliveries with their own ids.
    assert len({r.json["id"] for r in viewed}) == 1
    assert len({r.headers["X-Esurety-Delivery"] for r in viewed}) == 2
    rows = WebhookDelivery.objects.values_list("status", "last_status_code")
    assert list(rows) == [(DeliveryStatus.DELIVERED, 200)] * 3

    # Delivered means done: a later run sends nothing again.
    assert deliver_webhooks(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 3


def test_amount_and_period_changes_are_amended_events_with_what_changed(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    g = make_guarantee(world)
    endpoint = subscribe(admins.surety, receiver.url, events=["amended"])
    now = timezone.now()
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=now,
    )
    change_period(
        guarantee=g,
        by=world.clerk,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2026, 7, 1),
        reason="工期延長",
        now=now,
    )
    assert deliver_webhooks() == 2
    amount, period = (r.json["data"] for r in receiver.requests)
    assert all(r.event == "amended" and r.signed_by(endpoint.secret) for r in receiver.requests)
    # An amount change issues the (変更) version 2; a 工期 change moves the period and issues none.
    assert (amount["change"], amount["version"], amount["guaranteed_amount"]) == ("amount", 2, 48_000_000)
    assert amount["before"]["guaranteed_amount"] == 40_000_000 and amount["after"]["guaranteed_amount"] == 48_000_000
    assert amount["effective_on"] == "2026-06-01"
    assert (period["change"], period["version"], period["period_end"]) == ("period", 2, "2027-06-30")
    assert period["before"]["completion_date"] == "2027-03-31" and period["after"]["completion_date"] == "2027-06-30"
    for r in receiver.requests:
        assert_clean(r.body, g)


def test_an_approved_change_request_is_one_amended_event(world: World, admins: Admins, receiver: Receiver) -> None:
    g = make_guarantee(world)
    subscribe(admins.surety, receiver.url, events=["amended"])
    now = timezone.now()
    request = amendments.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type="PERIOD",
        completion_date=dt.date(2027, 9, 30),
        effective_on=dt.date(2026, 7, 1),
        reason="工期延長",
        now=now,
    )
    assert WebhookDelivery.objects.count() == 0  # entered, not yet approved: nothing changed
    amendments.amendment_request_approve(request=request, by=world.approver, now=now)
    assert deliver_webhooks() == 1
    assert receiver.requests[0].json["data"]["period_end"] == "2027-09-30"


def test_cancelled(world: World, admins: Admins, receiver: Receiver) -> None:
    g = make_guarantee(world)
    endpoint = subscribe(admins.surety, receiver.url, events=["cancelled"])
    gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())
    assert deliver_webhooks() == 1
    (r,) = receiver.requests
    assert r.event == "cancelled" and r.signed_by(endpoint.secret)
    data = r.json["data"]
    assert (data["number"], data["status"], data["status_label"]) == (g.number, "CANCELLED", "解約")
    assert data["reason"] == "契約解除" and data["cancelled_at"].endswith("+09:00")
    assert_clean(r.body, g)


def test_viewed_on_the_first_verification_only(world: World, admins: Admins, receiver: Receiver) -> None:
    g = make_guarantee(world)
    for_surety = subscribe(admins.surety, receiver.url, events=["viewed"])
    verify(world.orderer_user, g)
    verify(world.orderer_user, g)  # a colleague checks again: not a first view
    assert deliver_webhooks() == 1
    (r,) = receiver.requests
    assert r.event == "viewed" and r.signed_by(for_surety.secret)
    assert r.json["data"]["number"] == g.number
    assert r.json["data"]["orderer"] == {"name": world.orderer.name}
    assert_clean(r.body, g)


def test_only_subscribed_events_and_only_the_parties_of_the_guarantee(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    subscribe(admins.orderer, receiver.url + "?who=orderer", events=["cancelled"])
    other_orderer = make_orderer("鳴門市長")
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    subscribe(make_user("naruto", orderer=other_orderer, role=Role.ORG_ADMIN), receiver.url + "?who=naruto")
    subscribe(make_user("east", surety=other_surety, role=Role.SURETY_ADMIN), receiver.url + "?who=east")

    g = make_guarantee(world)
    verify(world.orderer_user, g)
    assert WebhookDelivery.objects.count() == 0  # issued and viewed: not subscribed; others: not theirs
    gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())
    assert deliver_webhooks() == 1
    assert [r.path for r in receiver.requests] == ["/hooks/esurety?who=orderer"]


def test_a_deactivated_endpoint_gets_nothing_more(world: World, admins: Admins, receiver: Receiver) -> None:
    created = subscribe(admins.surety, receiver.url)
    g = make_guarantee(world)  # queued while active
    webhook_endpoint_deactivate(endpoint=created.endpoint, by=admins.surety, now=timezone.now())
    gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())
    assert deliver_webhooks() == 0
    assert receiver.requests == []
    (d,) = WebhookDelivery.objects.all()
    assert (d.event_type, d.status) == ("issued", DeliveryStatus.FAILED)
    assert "無効" in d.last_error


def test_rolled_back_conclusion_leaves_no_delivery(
    world: World, admins: Admins, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe(admins.surety, receiver.url)

    def mail_fails(**kwargs: object) -> None:
        raise RuntimeError("template missing")

    # The conclusion fails after its event was written (the お知らせ mail comes later in the
    # same transaction): the whole step rolls back, the event with it.
    monkeypatch.setattr(issuance, "outbox_enqueue", mail_fails)
    with pytest.raises(RuntimeError):
        make_guarantee(world)
    assert not Guarantee.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert deliver_webhooks() == 0
    assert receiver.requests == []


def test_rolled_back_cancellation_leaves_no_delivery(
    world: World, admins: Admins, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = make_guarantee(world)
    subscribe(admins.surety, receiver.url, events=["cancelled"])

    def notify_fails(**kwargs: object) -> int:
        raise RuntimeError("mail server misconfigured")

    monkeypatch.setattr(cancellation, "notify_parties", notify_fails)
    with pytest.raises(RuntimeError):
        gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.ACTIVE
    assert not WebhookDelivery.objects.exists()
