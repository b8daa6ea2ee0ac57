"""Webhook writes: register and deactivate endpoints, publish events, 「再送」.

Publishing writes delivery rows in the caller's transaction (the outbox
pattern): an event exists iff the change that caused it committed, and the
worker (delivery.py) sends it afterwards, so nothing is lost to a crash or
an endpoint that is down.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from esurety.audit.services import audit_record
from esurety.core.bulk import bulk_insert
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.parties.models import SuretyCompany, User
from esurety.webhooks import signing
from esurety.webhooks.delivery import webhook_deliveries_enqueue
from esurety.webhooks.models import (
    ADVANCE_EVENTS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    events_for_owner,
)
from esurety.webhooks.payloads import event_payload
from esurety.webhooks.selectors import Owner, owner_field, webhook_owner_for
from esurety.webhooks.targets import target_check

# Every event fans out to each endpoint: a handful per organisation is plenty.
MAX_ACTIVE_ENDPOINTS = 10


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    # Shown once, right after registration; afterwards only its last characters are.
    secret: str


def _require_admin(by: User | None, owner: Owner) -> None:
    """by=None: the caller (the JSON API, authenticated as the organisation) has checked the right."""
    if by is None:
        return
    mine = webhook_owner_for(by)
    if mine is None or type(mine) is not type(owner) or mine.pk != owner.pk:
        raise NotPermitted("Webhookの設定は、この組織の管理者のみ行えます。")


def _owner_of(endpoint: WebhookEndpoint) -> Owner:
    owner = endpoint.surety or endpoint.orderer or endpoint.deposit_bank
    assert owner is not None  # check constraint webhook_endpoint_one_owner
    return owner


def _scope(owner: Owner) -> int | None:
    """The surety whose staff see the audit entry; an orderer's settings concern no surety."""
    return owner.pk if isinstance(owner, SuretyCompany) else None


def _lock_owner(owner: Owner) -> None:
    # Two registrations at once (a double click, two tabs) run one after another,
    # so the duplicate-URL and count checks below hold.
    type(owner).objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()


def _events_check(events: Sequence[str], owner: Owner) -> list[str]:
    chosen = [e for e in events_for_owner(owner) if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        message = "通知するイベントを1つ以上選んでください。"
        raise DomainError(message, [RuleViolation("events", message)])
    return chosen


@transaction.atomic
def webhook_endpoint_create(
    *, owner: Owner, by: User | None, url: str, events: Sequence[str], name: str = "", now: dt.datetime
) -> CreatedEndpoint:
    _require_admin(by, owner)
    url = target_check(url)
    chosen = _events_check(events, owner)
    name = name.strip()[:100]
    _lock_owner(owner)
    field = owner_field(owner)
    active = WebhookEndpoint.objects.filter(**{field: owner}, is_active=True)
    if active.filter(url=url).exists():
        message = "このURLは登録済みです。"
        raise DomainError(message, [RuleViolation("url", message)])
    if active.count() >= MAX_ACTIVE_ENDPOINTS:
        raise InvalidStateError(
            f"有効な送信先は{MAX_ACTIVE_ENDPOINTS}件までです。使わなくなった送信先を無効にしてから登録してください。"
        )
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        **{field: owner},
        name=name,
        url=url,
        secret_sealed=signing.secret_seal(secret, url=url),
        secret_hint=signing.secret_hint(secret),
        events=chosen,
        created_by=by,
        created_at=now,
    )
    audit_record(
        actor=by,
        action="webhook.create",
        obj=endpoint,
        at=now,
        after={"owner": f"{field}:{owner.pk}", "url": url, "name": name, "events": chosen},
        surety_id=_scope(owner),
    )
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, by: User | None, now: dt.datetime) -> WebhookEndpoint:
    """Stop sending: deliveries still waiting are given up (shown as 送信失敗), the log stays."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    owner = _owner_of(locked)
    _require_admin(by, owner)
    if not locked.is_active:
        raise InvalidStateError("この送信先はすでに無効です。")
    locked.is_active = False
    locked.deactivated_by = by
    locked.deactivated_at = now
    locked.save(update_fields=["is_active", "deactivated_by", "deactivated_at"])
    abandoned = WebhookDelivery.objects.filter(endpoint=locked, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="送信先を無効にしたため、送信を中止しました。"
    )
    audit_record(
        actor=by,
        action="webhook.deactivate",
        obj=locked,
        at=now,
        before={"is_active": True},
        after={"is_active": False, "url": locked.url, "abandoned_deliveries": abandoned},
        surety_id=_scope(owner),
    )
    return locked


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, by: User | None, now: dt.datetime) -> WebhookDelivery:
    """「再送」 of a delivery that gave up: 送信待ち again with a fresh set of attempts, same ids and body."""
    locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    owner = _owner_of(locked.endpoint)
    _require_admin(by, owner)
    if locked.status != DeliveryStatus.FAILED:
        raise InvalidStateError("送信失敗のものだけ再送できます。")
    if not locked.endpoint.is_active:
        raise InvalidStateError("無効にした送信先には再送できません。")
    before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
    locked.status = DeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = now
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    webhook_deliveries_enqueue([locked.pk])
    audit_record(
        actor=by,
        action="webhook.resend",
        obj=locked,
        at=now,
        before=before,
        after={"status": locked.status, "event": locked.event_type, "event_id": str(locked.event_id)},
        surety_id=_scope(owner),
    )
    return locked


def webhook_event_queue(
    *,
    event: str,
    guarantee_id: int,
    surety_id: int,
    orderer_id: int,
    data: Callable[[], dict[str, Any]],
    orderer_holds: Callable[[], bool],
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> int:
    """Queue one event for the surety's and the orderer's subscribed endpoints; returns how many.

    Plain data from the app the event is about (guarantees/events.py): ``data()`` is the
    payload's data and ``orderer_holds()`` whether the orderer may hear of it, both asked only
    when an endpoint listens. Must run inside the transaction of the change.
    """
    _require_transaction("webhook_event_queue")
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(Q(surety_id=surety_id) | Q(orderer_id=orderer_id), is_active=True).only(
            "pk", "events", "orderer_id"
        )
        if event in e.events
    ]
    # Orderers see only certificates they verified (number + key, a Receipt): none, no event.
    if any(e.orderer_id is not None for e in endpoints) and not orderer_holds():
        endpoints = [e for e in endpoints if e.orderer_id is None]
    if not endpoints:
        return 0
    event_id = uuid.uuid4()
    payload = event_payload(event_id=event_id, event=event, data=data(), now=now, extra=extra)
    rows = WebhookDelivery.objects.bulk_create(
        [
            _delivery(endpoint=e, event_id=event_id, event=event, guarantee_id=guarantee_id, payload=payload, now=now)
            for e in endpoints
        ]
    )
    webhook_deliveries_enqueue(row.pk for row in rows)
    return len(endpoints)


def webhook_advance_events_queue(
    *,
    event: str,
    guarantee_id: int,
    surety_id: int,
    bank_id: int,
    data: Callable[[], dict[str, Any]],
    extras: Sequence[dict[str, Any]],
    now: dt.datetime,
) -> int:
    """Queue advance-account events (one per item of ``extras``) for the surety's and the bank's
    subscribed endpoints; returns how many deliveries. Orderers hear nothing of the account.

    The payload is the guarantee's data (``data()``, asked only when an endpoint listens) plus
    the item (the account, the withdrawal), as the caller gives it in plain data: this app knows
    nothing of the advances models. Must run inside the transaction of the change. One query
    when nobody subscribes.
    """
    _require_transaction("webhook_advance_events_queue")
    if event not in ADVANCE_EVENTS:
        raise ValueError(f"unknown advance webhook event {event!r}")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(
            Q(surety_id=surety_id) | Q(deposit_bank_id=bank_id), is_active=True
        ).only("pk", "events")
        if event in e.events
    ]
    if not endpoints or not extras:
        return 0
    guarantee_data = data()
    rows: list[WebhookDelivery] = []
    for extra in extras:
        event_id = uuid.uuid4()
        payload = event_payload(event_id=event_id, event=event, data=guarantee_data, now=now, extra=extra)
        rows.extend(
            _delivery(endpoint=e, event_id=event_id, event=event, guarantee_id=guarantee_id, payload=payload, now=now)
            for e in endpoints
        )
    bulk_insert(rows)
    return len(rows)


def webhook_events_queue_for_surety(
    *, event: str, surety_id: int, events: Callable[[], Sequence[tuple[int, dict[str, Any]]]], now: dt.datetime
) -> int:
    """Queue one event per guarantee for the surety's endpoints only; returns how many deliveries.

    ``events()`` gives (guarantee id, payload data) pairs and is asked only when an endpoint
    listens: one query otherwise. Must run inside the transaction of the change.
    """
    _require_transaction("webhook_events_queue_for_surety")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(surety_id=surety_id, is_active=True).only("pk", "events")
        if event in e.events
    ]
    if not endpoints:
        return 0
    rows: list[WebhookDelivery] = []
    for guarantee_id, data in events():
        event_id = uuid.uuid4()
        payload = event_payload(event_id=event_id, event=event, data=data, now=now, extra=None)
        rows.extend(
            _delivery(endpoint=e, event_id=event_id, event=event, guarantee_id=guarantee_id, payload=payload, now=now)
            for e in endpoints
        )
    bulk_insert(rows)
    webhook_deliveries_enqueue(row.pk for row in rows)
    return len(rows)


def _require_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction of the change")


def _delivery(
    *,
    endpoint: WebhookEndpoint,
    event_id: uuid.UUID,
    event: str,
    guarantee_id: int,
    payload: dict[str, Any],
    now: dt.datetime,
) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=endpoint.pk,
        event_id=event_id,
        event_type=event,
        guarantee_id=guarantee_id,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
