"""「電子証書・認証キー登録のお知らせ」 from conclusion to a real SMTP server."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from esurety.core.kinds import DeliveryMethod
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import MAX_ATTEMPTS
from esurety.parties.models import Role
from tests.factories import World, make_guarantee, make_user
from tests.queue import deliver_mail
from tests.smtp import SmtpServer

NOTICE = "電子証書・認証キー登録のお知らせ"


def issue(world: World) -> tuple[Guarantee, str]:
    g = make_guarantee(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    return g, key


def test_conclusion_enqueues_the_notice(world: World) -> None:
    g, key = issue(world)
    message = OutboxMessage.objects.get()
    assert message.template == "certificate_issued"
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert (message.object_type, message.object_id) == ("Guarantee", str(g.pk))
    assert message.to == ["alice@example.com"]
    assert NOTICE in message.subject
    assert g.number in message.subject
    assert key not in message.subject + message.body_text + message.body_html


def test_notice_reaches_every_active_contractor_user(world: World, smtp_server: SmtpServer) -> None:
    make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    gone = make_user("dave", contractor=world.contractor, role=Role.MEMBER)
    gone.is_active = False
    gone.save()
    no_mail = make_user("erin", contractor=world.contractor, role=Role.MEMBER)
    no_mail.email = ""
    no_mail.save()
    g, key = issue(world)

    assert deliver_mail(now=timezone.now()) == 2
    # One message per user, so colleagues' addresses are not disclosed to each other;
    # only alice and bob: not the inactive user, not charlie of another company, not staff.
    assert sorted(tuple(m.rcpt_tos) for m in smtp_server.messages) == [("alice@example.com",), ("bob@example.com",)]
    portal = f"{settings.SITE_URL}/contractor/"
    for mail in smtp_server.messages:
        assert NOTICE in mail.subject
        assert g.number in mail.subject
        assert "株式会社〇〇建設 様" in mail.text
        assert "〇〇道路改良工事" in mail.text
        assert f"電子証書の確認はこちら: {portal}" in mail.text
        assert f'href="{portal}"' in mail.html
        # The key is read in the portal only, never mailed.
        assert key not in mail.text
        assert key not in mail.html
        assert key.encode() not in mail.raw
        assert "bob@example.com" not in mail.raw.decode() or "alice@example.com" not in mail.raw.decode()

    for message in OutboxMessage.objects.all():
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
    # Nothing left to send.
    assert deliver_mail(now=timezone.now()) == 0
    assert len(smtp_server.messages) == 2


def test_paper_delivery_sends_no_notice(world: World, smtp_server: SmtpServer) -> None:
    make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    assert not OutboxMessage.objects.exists()
    assert deliver_mail(now=timezone.now()) == 0
    assert smtp_server.messages == []


def test_smtp_down_then_delivered_exactly_once(world: World, smtp_server_down: SmtpServer) -> None:
    g, _ = issue(world)
    t0 = timezone.now()

    assert deliver_mail(now=t0) == 0
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > t0
    assert message.last_error != ""

    # Not due yet: no new attempt even once the server is back.
    smtp_server_down.start()
    assert deliver_mail(now=t0 + dt.timedelta(seconds=1)) == 0
    assert smtp_server_down.messages == []
    assert OutboxMessage.objects.get().attempts == 1

    later = message.next_attempt_at + dt.timedelta(seconds=1)
    assert deliver_mail(now=later) == 1
    assert deliver_mail(now=later + dt.timedelta(hours=1)) == 0
    assert len(smtp_server_down.messages) == 1
    assert g.number in smtp_server_down.messages[0].subject
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")


def test_backoff_grows_and_gives_up(world: World, smtp_server_down: SmtpServer) -> None:
    issue(world)
    at = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_mail(now=at) == 0
        message = OutboxMessage.objects.get()
        assert message.attempts == attempt
        if message.status == OutboxStatus.FAILED:
            break
        waits.append(message.next_attempt_at - at)
        at = message.next_attempt_at
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert waits[0] == dt.timedelta(seconds=30)
    assert waits == sorted(waits)
    assert max(waits) == dt.timedelta(hours=1)
    # A message given up on is not retried.
    smtp_server_down.start()
    assert deliver_mail(now=at + dt.timedelta(days=1)) == 0
    assert smtp_server_down.messages == []


# The worker runs as in production, outside any transaction (it closes connections left in one).
@pytest.mark.django_db(transaction=True)
def test_run_worker_once(world: World, smtp_server: SmtpServer) -> None:
    issue(world)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("run_worker", "--once")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert len(smtp_server.messages) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
