"""The guarantees' background work as tasks (run by `manage.py run_worker`).

- process_import_batch: a bulk import too large for the request, enqueued on commit of its upload
  (defined in imports/batches.py, beside the upload that enqueues it; named here for old paths).
- imports_sweep (periodic): any batch still waiting (a task lost, or uploaded before the queue).
- guarantees_expire (periodic, hourly): expiry is daily business; hourly catches the date
  change in Tokyo within the hour, and a failed run is simply tried again the next hour.
  Scheduled by the worker itself (a task that re-enqueues itself with run_after), not cron:
  nothing to install beside the workers, and several workers still expire each guarantee once
  (guarantees_expire_due locks and re-checks rows).
"""

from __future__ import annotations

from django_tasks import task

from esurety.core.clock import business_date, now
from esurety.guarantees.imports import import_batches_process_pending
from esurety.guarantees.imports.batches import process_import_batch
from esurety.guarantees.services import guarantees_expire_due

__all__ = ["guarantees_expire", "imports_sweep", "process_import_batch"]


@task()
def imports_sweep() -> int:
    """Periodic: process batches still waiting, oldest first; returns how many were finished."""
    return import_batches_process_pending(now=now(), limit=5)


@task()
def guarantees_expire() -> int:
    """Periodic: guarantees whose period has ended become 保証期間満了; returns how many."""
    return guarantees_expire_due(today=business_date())
