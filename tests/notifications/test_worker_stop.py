"""Stopping the worker (SIGTERM from a deploy, Ctrl-C): it finishes the message in flight and leaves the rest due.

Reported: the worker finished its whole batch first, up to 50 messages of up to 10 s each.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import message_id, outbox_enqueue
from tests.conftest import postgres_only
from tests.queue import deliver_mail
from tests.smtp import SmtpServer

REPO = Path(__file__).resolve().parents[2]
MESSAGES = 8
DELAY = 1.0  # the relay takes a second to accept each message


def enqueue(count: int) -> None:
    at = timezone.now()
    for i in range(count):
        outbox_enqueue(template="certificate_issued", to=[f"user{i}@example.com"], context={}, at=at)


def wait_for(condition: object, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def assert_left_due_and_sent_once_later(smtp: SmtpServer) -> None:
    """Every message either went out once or is still due, untouched; then each goes out exactly once."""
    sent_before = len(smtp.messages)
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert pending.count() == MESSAGES - sent_before
    assert pending.count() >= MESSAGES - 2  # not the whole batch
    assert set(pending.values_list("attempts", flat=True)) == {0}
    smtp.delay = 0
    assert deliver_mail() == MESSAGES - sent_before
    ids = Counter(str(mail.message["Message-ID"]) for mail in smtp.messages)
    assert sorted(ids) == sorted(message_id(m) for m in OutboxMessage.objects.all())
    assert set(ids.values()) == {1}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


@pytest.fixture
def restore_signals() -> Iterator[None]:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


# The worker runs as in production, outside any transaction (it closes connections left in one).
@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_after_the_message_in_flight(db: None, smtp_server: SmtpServer, restore_signals: None) -> None:
    enqueue(MESSAGES)
    smtp_server.delay = DELAY
    signalled: list[float] = []

    def terminate_once_sending() -> None:
        wait_for(lambda: smtp_server.messages, timeout=30)
        signalled.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGTERM)  # the worker runs in this process's main thread

    killer = threading.Thread(target=terminate_once_sending)
    killer.start()
    out = io.StringIO()
    call_command("run_worker", "--interval", "0.1", stdout=out)
    stopped = time.monotonic()
    killer.join()

    # The message in flight (a second) and nothing more; the whole batch would take 7 s.
    assert stopped - signalled[0] < DELAY + 2
    assert "worker: stopped" in out.getvalue()
    assert_left_due_and_sent_once_later(smtp_server)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_exits_within_seconds_of_sigterm(smtp_server: SmtpServer) -> None:
    enqueue(MESSAGES)
    smtp_server.delay = DELAY
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ESURETY_TESTING": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: smtp_server.messages or worker.poll() is not None, timeout=60)
        assert worker.poll() is None, worker.communicate()[0].decode()
        signalled = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
        elapsed = time.monotonic() - signalled
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert worker.returncode == 0, output.decode()
    assert elapsed < DELAY + 4  # interpreter shutdown included
    assert "worker: stopped" in output.decode()
    assert_left_due_and_sent_once_later(smtp_server)


def test_a_signal_while_idle_raises_nothing_where_the_worker_is_and_a_second_one_stops_at_once(
    restore_signals: None,
) -> None:
    """The handler runs wherever the worker is, maybe in the middle of its poll's query: it must not
    raise there (the rollback of a busy connection failed, and the stop ended with exit code 1)."""
    from esurety.notifications.management.commands.run_worker import worker_for

    worker = worker_for(interval=0.1, once=False)
    worker.shutdown(signal.SIGTERM, None)  # idle: no task running
    assert worker.stopped_by_signal and not worker.running
    with pytest.raises(SystemExit) as forced:
        worker.shutdown(signal.SIGTERM, None)
    assert forced.value.code == 1
