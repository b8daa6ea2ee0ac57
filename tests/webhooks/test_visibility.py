"""An orderer sees only certificates its organisation verified: its systems are told no more than that."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from esurety.guarantees import services as gservices
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role
from esurety.verification.models import Receipt
from esurety.verification.services import VerificationRefused
from esurety.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import World, amend_amount, make_guarantee, make_orderer, make_user
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, subscribe, verify
from tests.webhooks.receiver import Receiver


def amend_and_cancel(world: World, g: Guarantee) -> None:
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=timezone.now(),
    )
    gservices.guarantee_cancel(guarantee=g, by=world.approver, reason="契約解除", now=timezone.now())


def events_of(endpoint: WebhookEndpoint) -> list[str]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk").values_list("event_type", flat=True))


def test_an_orderer_is_told_nothing_of_a_guarantee_it_has_not_verified(world: World, admins: Admins) -> None:
    for_orderer = subscribe(admins.orderer, "https://orderer.example.com/hook").endpoint
    for_surety = subscribe(admins.surety, "https://surety.example.com/hook").endpoint
    g = make_guarantee(world)
    amend_and_cancel(world, g)
    assert events_of(for_orderer) == []
    assert events_of(for_surety) == ["issued", "amended", "cancelled"]  # the events did happen


def test_after_verifying_the_orderer_is_told_viewed_then_amended_and_cancelled(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    for_orderer = subscribe(admins.orderer, receiver.url)
    g = make_guarantee(world)
    assert WebhookDelivery.objects.count() == 0
    verify(world.orderer_user, g)
    amend_and_cancel(world, g)
    assert deliver_webhooks() == 3
    assert [r.event for r in receiver.requests] == ["viewed", "amended", "cancelled"]
    assert all(r.signed_by(for_orderer.secret) for r in receiver.requests)
    viewed, amended, cancelled = (r.json["data"] for r in receiver.requests)
    assert {viewed["number"], amended["number"], cancelled["number"]} == {g.number}
    assert (amended["change"], amended["guaranteed_amount"]) == ("amount", 48_000_000)
    assert (cancelled["status"], cancelled["reason"]) == ("CANCELLED", "契約解除")


def test_another_orderer_is_never_told_even_holding_the_number_and_key(world: World, admins: Admins) -> None:
    naruto_admin = make_user("naruto", orderer=make_orderer("鳴門市長"), role=Role.ORG_ADMIN)
    theirs = subscribe(naruto_admin, "https://naruto.example.com/hook").endpoint
    g = make_guarantee(world)
    with pytest.raises(VerificationRefused):
        verify(naruto_admin, g)
    verify(world.orderer_user, g)
    amend_and_cancel(world, g)
    assert events_of(theirs) == []
    assert not Receipt.objects.filter(orderer=naruto_admin.orderer).exists()


@pytest.mark.parametrize(
    ("who", "events", "receipt_read"),
    [
        (None, [], False),
        ("surety", ["amended"], False),
        ("orderer", ["cancelled"], False),  # subscribed, but not to this event
        ("orderer", ["amended"], True),
    ],
)
def test_the_receipt_is_read_only_for_a_subscribed_orderer(
    world: World, admins: Admins, who: str | None, events: list[str], receipt_read: bool
) -> None:
    """Every change publishes: the common case (no orderer endpoint) must cost no extra query."""
    g = make_guarantee(world)
    if who is not None:
        subscribe(admins.orderer if who == "orderer" else admins.surety, "https://hooks.example.com/x", events)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        sent = guarantee_event_publish(event="amended", guarantee=g, now=timezone.now())
    assert sent == (1 if who == "surety" else 0)
    read = [q["sql"] for q in queries.captured_queries if Receipt._meta.db_table in q["sql"]]
    assert bool(read) is receipt_read
