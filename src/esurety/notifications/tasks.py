"""The outbox's tasks: one delivery attempt per task, and the sweeper that leaves no message stranded.

deliver_outbox_message lives in services.py, beside the writes that enqueue it; it is named
here too so that tasks queued under its former path still run.
"""

from __future__ import annotations

from django_tasks import task

from esurety.core.clock import now
from esurety.notifications.services import deliver_outbox_message, outbox_enqueue_stranded

__all__ = ["deliver_outbox_message", "outbox_sweep"]


@task()
def outbox_sweep() -> int:
    """Periodic: a task for every due message that has none waiting; returns how many were queued."""
    return outbox_enqueue_stranded(now=now())
