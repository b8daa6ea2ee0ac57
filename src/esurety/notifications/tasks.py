"""The outbox's tasks: one delivery attempt per task, and the sweeper that leaves no message stranded."""

from __future__ import annotations

from django_tasks import task

from esurety.core.clock import now
from esurety.notifications.services import outbox_deliver, outbox_enqueue_stranded


@task()
def deliver_outbox_message(message_id: int) -> bool:
    """Send one message if it is due; True if it went out."""
    return outbox_deliver(message_id=message_id, now=now())


@task()
def outbox_sweep() -> int:
    """Periodic: a task for every due message that has none waiting; returns how many were queued."""
    return outbox_enqueue_stranded(now=now())
