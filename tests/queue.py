"""Run the job queue in a test, as the workers would by a given time.

The queue is the real one (django-tasks' database backend, in the test database);
only the clock is moved (time-machine) so that backoffs can be crossed without
waiting. Inside a test's transaction no on-commit callback fires, so the sweeper
(which production runs every minute) is what finds the new rows here; a task that
was enqueued on commit is run the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import time_machine
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from esurety.notifications.tasks import deliver_outbox_message, outbox_sweep
from esurety.webhooks.tasks import deliver_webhook, webhook_sweep


def run_due(t: Task[Any, Any]) -> list[Any]:
    """Run every task of ``t`` that is due now, one by one, until none is left; their return values."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    returned = []
    while True:
        # As db_worker takes a task: locked, so that parallel runs take different ones.
        with exclusive_transaction():
            row = DBTaskResult.objects.ready().filter(task_path=t.module_path).get_locked()
            if row is None:
                break
            row.claim(worker.worker_id)
        worker.run_task(row)
        row.refresh_from_db()
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        returned.append(row.return_value)
    return returned


def _at(now: dt.datetime | None) -> contextlib.AbstractContextManager[Any]:
    # The real clock unless told: time-machine's travel is global to the process (threads share it).
    return time_machine.travel(now, tick=False) if now is not None else contextlib.nullcontext()


def deliver_mail(now: dt.datetime | None = None) -> int:
    """What the workers do by ``now`` (default: now) for the outbox; returns how many mails went out."""
    with _at(now):
        outbox_sweep.call()
        return sum(run_due(deliver_outbox_message))


def deliver_webhooks(now: dt.datetime | None = None) -> int:
    """What the workers do by ``now`` (default: now) for webhooks; returns how many were delivered."""
    with _at(now):
        webhook_sweep.call()
        return sum(run_due(deliver_webhook))
