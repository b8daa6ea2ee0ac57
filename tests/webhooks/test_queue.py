"""Webhooks on the job queue: one task per delivery, enqueued on commit; the sweeper leaves none stranded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from esurety.webhooks.models import DeliveryStatus, WebhookDelivery
from esurety.webhooks.tasks import deliver_webhook, webhook_sweep
from tests.factories import World, make_guarantee
from tests.queue import deliver_webhooks, run_due
from tests.webhooks.conftest import Admins, subscribe
from tests.webhooks.receiver import Receiver


def waiting_tasks() -> list[Any]:
    return [
        t.args_kwargs["args"][0]
        for t in DBTaskResult.objects.filter(task_path=deliver_webhook.module_path, status=TaskResultStatus.READY)
    ]


def test_each_delivery_gets_its_task_when_the_change_commits(
    world: World,
    admins: Admins,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscribe(admins.surety, receiver.url, events=["issued"])
    with django_capture_on_commit_callbacks(execute=True):
        g = make_guarantee(world)
    delivery = WebhookDelivery.objects.get()
    assert waiting_tasks() == [delivery.pk]
    assert run_due(deliver_webhook) == [True]
    assert [r.json["data"]["number"] for r in receiver.requests] == [g.number]


def test_a_due_delivery_without_a_task_is_swept_up_once(world: World, admins: Admins, receiver: Receiver) -> None:
    subscribe(admins.surety, receiver.url, events=["issued"])
    make_guarantee(world)  # in the test's transaction: no commit, no task
    assert waiting_tasks() == []
    assert webhook_sweep.call() == 1
    assert webhook_sweep.call() == 0
    assert deliver_webhooks() == 1
    assert webhook_sweep.call() == 0
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
