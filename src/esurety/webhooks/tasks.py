"""The webhooks' tasks: one delivery attempt per task, and the sweeper that leaves no delivery stranded."""

from __future__ import annotations

from django_tasks import task

from esurety.core.clock import now
from esurety.webhooks.delivery import webhook_deliver, webhook_enqueue_stranded


@task()
def deliver_webhook(delivery_pk: int) -> bool:
    """POST one delivery if it is due; True if the receiver accepted it."""
    return webhook_deliver(delivery_pk=delivery_pk, now=now())


@task()
def webhook_sweep() -> int:
    """Periodic: a task for every due delivery that has none waiting; returns how many were queued."""
    return webhook_enqueue_stranded(now=now())
