"""The job queue's house rules, on top of django-tasks and its database backend.

Work that leaves the request (mail, webhooks, imports, expiry) is a task: a row in
the queue table, enqueued on commit of the change that causes it and run by
`manage.py run_worker` (several side by side). The durable record of a delivery
is still its own row (OutboxMessage, WebhookDelivery); a task only says "look at
row N now", so a task that runs twice, or for a row already done, does nothing.
Periodic work is a task that re-enqueues itself with ``run_after``
(settings.ESURETY_PERIODIC_TASKS), started by the worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task, TaskResultStatus

logger = logging.getLogger(__name__)


def _queued(task_path: str) -> Any:
    """The task rows waiting to run (the database backend's own table), None for other backends."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return None
    return DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)


def ready_first_args(t: Task[Any, Any]) -> set[Any]:
    """First arguments of the tasks of ``t`` that are due to run now (for a sweeper to skip)."""
    queued = _queued(t.module_path)
    if queued is None:
        return set()
    # ready(): run_after passed, or none given (stored as the largest date).
    queued = queued.ready()
    return {row["args"][0] for row in queued.values_list("args_kwargs", flat=True) if row.get("args")}


def enqueue_on_commit(t: Task[Any, Any], *args: Any) -> None:
    """Enqueue once the current transaction commits (at once outside one).

    robust: the change has committed whatever happens here; a task that cannot be
    written is found again by the sweeper, so the request must not fail for it.
    """
    transaction.on_commit(lambda: t.enqueue(*args), robust=True)


def enqueue_missing(t: Task[Any, Any], ids: Iterable[Any]) -> int:
    """Enqueue ``t(id)`` for each id that has no task due to run; returns how many."""
    waiting = ready_first_args(t)
    count = 0
    for pk in ids:
        if pk not in waiting:
            t.enqueue(pk)
            count += 1
    return count


# ---------------------------------------------------------------- periodic work


def periodic_tasks() -> dict[str, int]:
    """{task path: seconds between runs} of the work the worker schedules itself."""
    return dict(getattr(settings, "ESURETY_PERIODIC_TASKS", {}))


@task()
def run_periodic(path: str) -> None:
    """Run the periodic task ``path`` once, then book its next run (unless one is booked already)."""
    interval = periodic_tasks().get(path)
    if interval is None:
        logger.warning("tasks: %s is no longer periodic; not rescheduled", path)
        return
    target: Task[[], Any] = import_string(path)
    try:
        target.call()
    finally:
        # Even after a failure: expiry that fails this hour is tried the next.
        _book(path, at=timezone.now() + dt.timedelta(seconds=interval))
        _forget_old_runs()


def _booked(path: str) -> bool:
    queued = _queued(run_periodic.module_path)
    if queued is None:
        return False
    return any(row.get("args") == [path] for row in queued.values_list("args_kwargs", flat=True))


def _book(path: str, *, at: dt.datetime | None) -> None:
    # One booking per path: several workers started at once may each book one; the
    # runs then find the other's booking and the extra chain ends.
    if _booked(path):
        return
    (run_periodic.using(run_after=at) if at is not None else run_periodic).enqueue(path)


def _forget_old_runs() -> None:
    """Drop finished runs of periodic tasks older than a day (a run a minute would pile up)."""
    from django_tasks_db.models import DBTaskResult

    if _queued(run_periodic.module_path) is None:
        return
    DBTaskResult.objects.filter(
        task_path=run_periodic.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=timezone.now() - dt.timedelta(days=1),
    ).delete()


def periodic_tasks_schedule() -> list[str]:
    """Book a run now of every periodic task that has none booked (the worker calls this at start)."""
    paths = sorted(periodic_tasks())
    for path in paths:
        _book(path, at=None)
    return paths
