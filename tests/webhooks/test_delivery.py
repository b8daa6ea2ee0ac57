"""Retries with backoff, giving up visibly, 「再送」, no redirects, one delivery per row across workers."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.parties.models import Role
from esurety.webhooks.delivery import MAX_ATTEMPTS
from esurety.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.conftest import postgres_only
from tests.factories import World, make_guarantee, make_user, make_world
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, subscribe, verify
from tests.webhooks.receiver import Receiver, free_port

T0 = dt.datetime(2026, 4, 20, 1, 0, tzinfo=dt.UTC)


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_500_is_retried_after_the_backoff_and_delivered_exactly_once(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    endpoint = subscribe(admins.surety, receiver.url, events=["issued"])
    receiver.answers.append(500)
    with time_machine.travel(T0, tick=False):
        make_guarantee(world)
        assert deliver_webhooks() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at == T0 + dt.timedelta(minutes=1)

    with time_machine.travel(T0 + dt.timedelta(seconds=50), tick=False):
        assert deliver_webhooks() == 0  # still inside the backoff
    assert len(receiver.requests) == 1

    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        assert deliver_webhooks() == 1
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert deliver_webhooks() == 0
    first, second = receiver.requests
    # The same delivery, body and event id; a fresh timestamp and signature per attempt.
    assert first.headers["X-Esurety-Delivery"] == second.headers["X-Esurety-Delivery"]
    assert first.body == second.body
    assert int(second.headers["X-Esurety-Timestamp"]) == int((T0 + dt.timedelta(seconds=61)).timestamp())
    assert first.signed_by(endpoint.secret) and second.signed_by(endpoint.secret)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
        "",
    )
    assert delivery.delivered_at == T0 + dt.timedelta(seconds=61)


def test_unreachable_endpoint_gives_up_after_a_day_shows_in_the_log_and_can_be_resent(
    world: World, admins: Admins
) -> None:
    port = free_port()
    endpoint = subscribe(admins.orderer, f"http://127.0.0.1:{port}/hooks", events=["viewed"])
    g = make_guarantee(world)
    verify(world.orderer_user, g)
    at = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_webhooks(now=at) == 0
        delivery = WebhookDelivery.objects.get()
        assert delivery.attempts == attempt
        assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error
        assert delivery.last_status_code is None
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == DeliveryStatus.PENDING
            waits.append(delivery.next_attempt_at - at)
            at = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert [w.total_seconds() / 60 for w in waits] == [1, 4, 16, 64, 256, 480, 480]
    assert dt.timedelta(hours=20) < sum(waits, dt.timedelta()) < dt.timedelta(hours=26)
    assert deliver_webhooks(now=at + dt.timedelta(days=7)) == 0  # given up: no more attempts

    client = login(admins.orderer)
    page = client.get("/verify/webhooks/?status=FAILED").content.decode()
    assert g.number in page and "送信失敗" in page and "Connection refused" in page
    assert f'action="/verify/webhooks/deliveries/{delivery.pk}/resend/"' in page

    # The receiving system is back; the administrator presses 「再送」.
    receiver = Receiver(port=port)
    try:
        response = client.post(f"/verify/webhooks/deliveries/{delivery.pk}/resend/", {"back": "status=FAILED"})
        assert response.status_code == 302
        assert response["Location"] == "/verify/webhooks/?status=FAILED#log"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        entry = AuditEntry.objects.get(action="webhook.resend")
        assert entry.actor == admins.orderer and entry.after is not None and entry.after["event"] == "viewed"
        assert deliver_webhooks() == 1
        assert deliver_webhooks() == 0
        (r,) = receiver.requests
        assert r.signed_by(endpoint.secret) and r.json["data"]["number"] == g.number
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    # Only a failed delivery can be resent.
    again = client.post(f"/verify/webhooks/deliveries/{delivery.pk}/resend/", follow=True)
    assert "送信失敗のものだけ再送できます" in again.content.decode()


def test_a_redirect_is_not_followed(world: World, admins: Admins, receiver: Receiver) -> None:
    elsewhere = Receiver()
    try:
        subscribe(admins.surety, receiver.url, events=["issued"])
        receiver.redirect_to = elsewhere.url
        receiver.answers.append(302)
        make_guarantee(world)
        assert deliver_webhooks() == 0
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert "リダイレクト" in delivery.last_error


def test_a_host_that_turned_local_is_not_contacted(world: World, admins: Admins, receiver: Receiver) -> None:
    subscribe(admins.surety, receiver.url.replace("127.0.0.1", "localhost"), events=["issued"])
    make_guarantee(world)
    # In production (no local receivers allowed) the name resolves to this machine: refused before connecting.
    with override_settings(WEBHOOK_ALLOW_LOCAL=False):
        assert deliver_webhooks() == 0
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "ローカルネットワーク" in delivery.last_error


# The worker runs as in production, outside any transaction (it closes connections left in one).
@pytest.mark.django_db(transaction=True)
def test_the_worker_command_delivers_webhooks(world: World, admins: Admins, receiver: Receiver) -> None:
    subscribe(admins.surety, receiver.url, events=["issued"])
    g = make_guarantee(world)
    out = io.StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert "delivered 1 webhook(s)" in out.getvalue()
    assert [r.json["data"]["number"] for r in receiver.requests] == [g.number]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_deliver_the_same_row() -> None:
    world = make_world()
    receiver = Receiver()
    receiver.delay = 0.05  # slow enough for the workers to overlap
    try:
        admin = make_user("suretyadmin", surety=world.surety, role=Role.SURETY_ADMIN)
        subscribe(admin, receiver.url, events=["issued"])
        for i in range(12):
            make_guarantee(world, work_name=f"第{i}工区道路改良工事")
        counts: list[int] = []

        def work() -> None:
            try:
                counts.append(deliver_webhooks())
            finally:
                connection.close()

        workers = [threading.Thread(target=work) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        receiver.stop()
    deliveries = Counter(r.headers["X-Esurety-Delivery"] for r in receiver.requests)
    assert len(deliveries) == 12 and set(deliveries.values()) == {1}
    assert sum(counts) == 12
    assert sum(1 for c in counts if c) >= 2  # the work was shared, not done by one worker
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
