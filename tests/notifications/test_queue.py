"""The outbox on the job queue: a task per delivery, enqueued on commit; the sweeper leaves nothing stranded."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from esurety.core.tasks import periodic_tasks, periodic_tasks_schedule, run_periodic
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import LEASE, message_id, outbox_deliver, outbox_enqueue
from esurety.notifications.tasks import deliver_outbox_message, outbox_sweep
from tests.queue import deliver_mail, run_due
from tests.smtp import SmtpServer

CaptureOnCommit = Callable[..., Any]


def tasks_for(message: OutboxMessage) -> list[DBTaskResult]:
    return [
        t
        for t in DBTaskResult.objects.filter(task_path=deliver_outbox_message.module_path)
        if t.args_kwargs["args"] == [message.pk]
    ]


def enqueue(to: str = "user@example.com") -> OutboxMessage:
    message = outbox_enqueue(template="certificate_issued", to=[to], context={}, at=timezone.now())
    assert message is not None
    return message


def test_a_committed_mail_gets_its_delivery_task(
    db: None, django_capture_on_commit_callbacks: CaptureOnCommit, smtp_server: SmtpServer
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = enqueue()
            assert tasks_for(message) == []  # not before the change has committed
    [task] = tasks_for(message)
    assert task.status == TaskResultStatus.READY
    assert run_due(deliver_outbox_message) == [True]
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_change_leaves_neither_mail_nor_task(
    db: None, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue()
            raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_due_message_without_a_task_is_swept_up_once(db: None, smtp_server: SmtpServer) -> None:
    # Written before the queue existed (or its task was lost): no task at all.
    message = enqueue()
    assert tasks_for(message) == []
    assert outbox_sweep.call() == 1
    assert outbox_sweep.call() == 0  # its task waits: no second one
    assert len(tasks_for(message)) == 1
    assert deliver_mail() == 1
    assert outbox_sweep.call() == 0  # sent: nothing left to sweep
    assert len(smtp_server.messages) == 1


def test_two_tasks_for_one_message_send_it_once(db: None, smtp_server: SmtpServer) -> None:
    message = enqueue()
    deliver_outbox_message.enqueue(message.pk)
    deliver_outbox_message.enqueue(message.pk)
    assert sorted(run_due(deliver_outbox_message)) == [False, True]
    assert [str(m.message["Message-ID"]) for m in smtp_server.messages] == [message_id(message)]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


def test_a_claimed_message_is_not_taken_again_until_its_lease_ends(db: None, smtp_server: SmtpServer) -> None:
    """A worker that died mid-send: the message is due again after the lease, and then sent."""
    message = enqueue()
    t0 = timezone.now()
    # Claimed (attempt 1) by a worker that never came back.
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=1, next_attempt_at=t0 + LEASE)
    assert outbox_deliver(message_id=message.pk, now=t0 + dt.timedelta(minutes=1)) is False
    assert smtp_server.messages == []
    assert deliver_mail(now=t0 + LEASE) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_a_failed_attempt_books_the_next_one_after_the_backoff(db: None, smtp_server_down: SmtpServer) -> None:
    message = enqueue()
    t0 = timezone.now()
    assert deliver_mail(now=t0) == 0
    [task] = [t for t in tasks_for(message) if t.status == TaskResultStatus.READY]
    message.refresh_from_db()
    assert task.run_after == message.next_attempt_at == t0 + dt.timedelta(seconds=30)


def test_the_worker_books_each_periodic_task_once(db: None) -> None:
    assert set(periodic_tasks()) == {
        "esurety.notifications.tasks.outbox_sweep",
        "esurety.webhooks.tasks.webhook_sweep",
        "esurety.guarantees.tasks.imports_sweep",
        "esurety.guarantees.tasks.guarantees_expire",
        "esurety.dashboards.tasks.dashboard_figures",
    }
    periodic_tasks_schedule()
    periodic_tasks_schedule()  # a second worker starting: nothing booked twice
    booked = Counter(t.args_kwargs["args"][0] for t in DBTaskResult.objects.filter(task_path=run_periodic.module_path))
    assert booked == Counter(dict.fromkeys(periodic_tasks(), 1))


def test_a_periodic_task_books_its_next_run(db: None) -> None:
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        periodic_tasks_schedule()
        run_due(run_periodic)
    waiting = {
        t.args_kwargs["args"][0]: t.run_after
        for t in DBTaskResult.objects.filter(task_path=run_periodic.module_path, status=TaskResultStatus.READY)
    }
    assert waiting == {path: t0 + dt.timedelta(seconds=seconds) for path, seconds in periodic_tasks().items()}
    assert waiting["esurety.guarantees.tasks.guarantees_expire"] == t0 + dt.timedelta(hours=1)
