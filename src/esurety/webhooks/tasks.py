"""The webhooks' tasks: one delivery attempt per task, and the sweeper that leaves no delivery stranded.

deliver_webhook lives in delivery.py, beside the code that enqueues it; it is named here too so
that tasks queued under its former path still run.
"""

from __future__ import annotations

from django_tasks import task

from esurety.core.clock import now
from esurety.webhooks.delivery import deliver_webhook, webhook_enqueue_stranded

__all__ = ["deliver_webhook", "webhook_sweep"]


@task()
def webhook_sweep() -> int:
    """Periodic: a task for every due delivery that has none waiting; returns how many were queued."""
    return webhook_enqueue_stranded(now=now())
