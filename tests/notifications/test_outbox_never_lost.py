"""Mail that is never lost: the SMTP server is down while certificates are issued; every mail arrives once."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import message_id
from esurety.parties.models import Role
from tests.conftest import postgres_only
from tests.factories import World, make_guarantee, make_user
from tests.office.operations import client_for
from tests.queue import deliver_mail
from tests.smtp import SmtpServer, smtp_server_down  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
NOTICE = "電子証書・認証キー登録のお知らせ"


def test_smtp_down_while_issuing_then_every_mail_arrives_exactly_once(
    world: World,
    smtp_server_down: SmtpServer,  # noqa: F811
) -> None:
    make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    guarantees = [make_guarantee(world, work_name=f"第{i}工区道路改良工事") for i in range(1, 4)]
    expected = Counter((address, g.number) for g in guarantees for address in ("alice@example.com", "bob@example.com"))
    assert OutboxMessage.objects.count() == 6

    # The server is down: every attempt fails, nothing is lost, a retry is scheduled with backoff.
    t0 = timezone.now()
    assert deliver_mail(now=t0) == 0
    for message in OutboxMessage.objects.all():
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == 1
        assert message.next_attempt_at == t0 + dt.timedelta(seconds=30)
        # Staff read the cause in Japanese; the exception's own text stays in the log.
        assert message.last_error.startswith("接続できません")
        assert "Errno" not in message.last_error and "Connection refused" not in message.last_error
    # Later failures wait longer (30 s, 60 s, ...).
    second = t0 + dt.timedelta(seconds=31)
    assert deliver_mail(now=second) == 0
    assert {m.next_attempt_at for m in OutboxMessage.objects.all()} == {second + dt.timedelta(seconds=60)}
    assert {m.attempts for m in OutboxMessage.objects.all()} == {2}

    # Staff see the messages waiting, with their attempts and the error.
    page = client_for(world.approver).get("/office/outbox/?status=PENDING").content.decode()
    assert page.count("再送待ち") == 6
    assert "接続できません" in page
    assert "Connection refused" not in page and "Errno" not in page and "Error" not in page

    # The server comes back; before the backoff has passed nothing is sent.
    smtp_server_down.start()
    assert deliver_mail(now=second + dt.timedelta(seconds=1)) == 0
    assert smtp_server_down.messages == []

    after_backoff = second + dt.timedelta(seconds=61)
    assert deliver_mail(now=after_backoff) == 6
    received = Counter(
        (rcpt, g.number)
        for mail in smtp_server_down.messages
        for rcpt in mail.rcpt_tos
        for g in guarantees
        if g.number in mail.subject
    )
    assert received == expected
    assert all(NOTICE in mail.subject for mail in smtp_server_down.messages)
    assert len({mail.message["Message-ID"] for mail in smtp_server_down.messages}) == 6

    # Delivery runs again (later, and again): no duplicates.
    assert deliver_mail(now=after_backoff + dt.timedelta(hours=2)) == 0
    assert deliver_mail(now=after_backoff + dt.timedelta(days=1)) == 0
    assert len(smtp_server_down.messages) == 6
    for message in OutboxMessage.objects.all():
        assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 3, "")
        assert message.sent_at == after_backoff


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_delivers_after_the_server_comes_back(
    world: World,
    smtp_server_down: SmtpServer,  # noqa: F811
) -> None:
    # Committed for real: the delivery task is enqueued on commit, the worker finds it in the queue.
    guarantee = make_guarantee(world)
    # The worker reads the real clock.
    call_command("run_worker", "--once", stdout=io.StringIO())
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)

    smtp_server_down.start()
    call_command("run_worker", "--once", stdout=io.StringIO())
    assert smtp_server_down.messages == []  # still inside the backoff

    later = message.next_attempt_at + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        call_command("run_worker", "--once", stdout=io.StringIO())
        call_command("run_worker", "--once", stdout=io.StringIO())
    assert len(smtp_server_down.messages) == 1
    assert guarantee.number in smtp_server_down.messages[0].subject
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_process_once(smtp: SmtpServer) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ESURETY_TESTING": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--once"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_worker_processes_restarted_after_the_server_comes_back_send_every_mail_once(
    world: World,
    smtp_server_down: SmtpServer,  # noqa: F811
) -> None:
    """The real queue and real worker processes: tasks enqueued on commit, retried with run_after."""
    make_user("bob", contractor=world.contractor, role=Role.MEMBER)
    guarantees = [make_guarantee(world, work_name=f"第{i}工区道路改良工事") for i in range(1, 4)]
    assert OutboxMessage.objects.count() == 6

    _worker_process_once(smtp_server_down)
    assert {(m.status, m.attempts) for m in OutboxMessage.objects.all()} == {(OutboxStatus.PENDING, 1)}
    assert all(m.last_error.startswith("接続できません") for m in OutboxMessage.objects.all())

    smtp_server_down.start()
    _worker_process_once(smtp_server_down)
    assert smtp_server_down.messages == []  # still inside the backoff

    # The backoff passes (the processes read the real clock): moved into the past rather than waited for.
    past = timezone.now() - dt.timedelta(seconds=1)
    OutboxMessage.objects.update(next_attempt_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=past)
    assert "sent 1 message(s)" in _worker_process_once(smtp_server_down)
    _worker_process_once(smtp_server_down)

    ids = Counter(str(mail.message["Message-ID"]) for mail in smtp_server_down.messages)
    assert sorted(ids) == sorted(message_id(m) for m in OutboxMessage.objects.all())
    assert set(ids.values()) == {1}
    received = Counter(
        (rcpt, g.number)
        for mail in smtp_server_down.messages
        for rcpt in mail.rcpt_tos
        for g in guarantees
        if g.number in mail.subject
    )
    assert received == Counter((a, g.number) for g in guarantees for a in ("alice@example.com", "bob@example.com"))
    assert {(m.status, m.attempts) for m in OutboxMessage.objects.all()} == {(OutboxStatus.SENT, 2)}
