"""`manage.py run_worker`: django-tasks-db's `db_worker` under the name ops and the README use.

It books the periodic work first (settings.ESURETY_PERIODIC_TASKS: the sweepers and
hourly expiry), then runs tasks until stopped. Run several side by side: each task is
claimed by one worker (a row lock on PostgreSQL), and the deliveries claim their own rows.
SIGTERM or Ctrl-C: the task in flight is finished (one mail, one webhook), nothing more is
taken; a second signal stops at once.
"""

from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME, TaskResult, TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from esurety.core.tasks import periodic_tasks_schedule

logger = logging.getLogger(__name__)

# What the worker tells whoever runs it, as before the queue: {task path: line for a True result}.
_REPORTS = {
    "esurety.notifications.services.deliver_outbox_message": "worker: sent 1 message(s)",
    "esurety.webhooks.delivery.deliver_webhook": "worker: delivered 1 webhook(s)",
    "esurety.guarantees.imports.batches.process_import_batch": "worker: processed 1 import batch(es)",
}


class _Worker(Worker):
    stopped_by_signal = False

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            super().shutdown(signum, frame)  # a second signal: stop at once (exit 1), as db_worker does
            return
        # db_worker raises SystemExit from this handler when no task is running, wherever the worker
        # is: in the middle of its poll's query, the transaction's rollback then fails on the busy
        # connection and a clean stop ended with a traceback and exit code 1 (seen under load). Only
        # say stop: the loop checks `running` after each step, and an idle wait lasts one interval.
        logger.warning("Received %s - stopping after the current step.", signal.strsignal(signum))
        self.stopped_by_signal = True
        self.running = False


def worker_for(*, interval: float, once: bool) -> _Worker:
    """The worker `run_worker` runs: the default queue, polling every ``interval`` seconds when idle,
    or every due task then exit (``once``)."""
    return _Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=interval,
        batch=once,
        backend_name="default",
        startup_delay=not once,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


class Command(DbWorkerCommand):
    help = "Run queued tasks (e-mail, webhooks, imports, expiry) until stopped; run one or more."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--once", action="store_true", help="run every task that is due, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        periodic_tasks_schedule()
        worker = worker_for(interval=options["interval"], once=options["once"])
        self.stdout.write("worker: running tasks")

        def report(sender: object, task_result: TaskResult[Any], **kwargs: Any) -> None:
            line = _REPORTS.get(task_result.task.module_path)
            if line and task_result.status == TaskResultStatus.SUCCESSFUL and task_result.return_value:
                self.stdout.write(line)

        task_finished.connect(report)
        worker.configure_signals()
        try:
            worker.run()
        except SystemExit as exc:
            # db_worker exits this way when stopped while idle.
            if exc.code not in (0, None):
                raise
        finally:
            worker.reset_signals()
            task_finished.disconnect(report)
        if worker.stopped_by_signal:
            # Written here, not in the handler: the signal may arrive in the middle of a write.
            self.stdout.write("worker: stopped; tasks not run yet stay queued")
