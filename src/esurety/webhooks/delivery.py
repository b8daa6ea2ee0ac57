"""The worker's side: POST each due delivery, signed; retry with backoff; give up visibly.

Each delivery attempt is a task (enqueued on commit of the change, or with
run_after = the backoff after a failure). The row is claimed in a short
transaction (row lock, skip_locked, then a lease that moves it out of the due
set) and sent after commit: no database
transaction, and on SQLite no write lock, stays open while a third party's
server takes its time. Parallel workers claim different rows. A worker that
dies mid-send leaves the row to be sent again when the lease ends (the sweeper
gives it a new task), so
receivers may see a delivery twice (same X-Esurety-Delivery) but never lose it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from django.db import transaction
from django_tasks import task

from esurety.core.clock import now as clock_now
from esurety.core.tasks import enqueue_missing, enqueue_on_commit
from esurety.webhooks import signing
from esurety.webhooks.models import DeliveryStatus, WebhookDelivery
from esurety.webhooks.payloads import payload_body
from esurety.webhooks.targets import TargetRefused, target_connect, target_refusal

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
# Far longer than one attempt can take: a claimed row is not claimed again meanwhile.
LEASE = dt.timedelta(minutes=5)
USER_AGENT = "esurety-webhooks/1"


def webhook_backoff(attempts: int) -> dt.timedelta:
    """1, 4, 16, 64, 256 minutes, then 8 hours: eight attempts span about a day.

    (notifications.backoff stops at an hour: right for mail, too short for a
    receiving system that is down for a night.)
    """
    return dt.timedelta(seconds=min(8 * 3600, 60 * 4 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class _Claim:
    pk: int
    attempts: int
    url: str
    secret: str
    event_type: str
    delivery_id: str
    body: bytes


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status_code: int | None
    error: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer, not a delivery: following it could carry the signed
    # event to another host (or into our own network).
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = target_connect


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    # TLS still verifies the certificate against the host name in the URL.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = target_connect


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(context=self._tls)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_CheckedHTTPSConnection, req, context=self._tls)


# No proxy from the environment: through a proxy the address checked would be the proxy's.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _CheckedHTTPHandler, _CheckedHTTPSHandler(), _NoRedirect
)


UNREADABLE_KEY_NOTE = (
    "署名用シークレットを復号できないため送信を中止しました（サーバーの鍵が変わった可能性があります）。"
    "送信先を登録し直してください。"
)


def _secret_of(row: WebhookDelivery) -> str | None:
    try:
        return signing.secret_unseal(row.endpoint.secret_sealed, url=row.endpoint.url)
    except (InvalidTag, ValueError):
        # ACCESS_KEY_SECRET (or SECRET_KEY without it) changed since registration.
        logger.error("webhook: the secret of endpoint %s cannot be opened", row.endpoint_id)
        return None


def _claim(delivery_pk: int, at: dt.datetime) -> _Claim | None:
    """The row, leased to this worker, if it is due; None otherwise (done, given up, not yet, or taken)."""
    with transaction.atomic():
        # skip_locked: a row another worker is claiming right now is theirs (PostgreSQL;
        # SQLite serialises writers anyway). of=self: the endpoint row is only read.
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
            .first()
        )
        if row is None:
            return None
        secret = _secret_of(row) if row.endpoint.is_active else None
        if secret is None:
            # Queued while the endpoint was being deactivated, or a secret that no longer opens:
            # given up (and shown in the log), not tried for ever.
            row.status = DeliveryStatus.FAILED
            row.last_error = (
                UNREADABLE_KEY_NOTE if row.endpoint.is_active else "送信先を無効にしたため、送信を中止しました。"
            )
            row.save(update_fields=["status", "last_error"])
            return None
        row.attempts += 1
        row.next_attempt_at = at + LEASE
        row.save(update_fields=["attempts", "next_attempt_at"])
        return _Claim(
            pk=row.pk,
            attempts=row.attempts,
            url=row.endpoint.url,
            secret=secret,
            event_type=row.event_type,
            delivery_id=str(row.delivery_id),
            body=payload_body(row.payload),
        )


def _post(claim: _Claim, at: dt.datetime) -> _Outcome:
    refusal = target_refusal(claim.url)
    if refusal:
        return _Outcome(ok=False, status_code=None, error=refusal)
    timestamp = int(at.timestamp())
    request = urllib.request.Request(  # noqa: S310 - target_check allows only https (http to localhost in dev)
        claim.url,
        data=claim.body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Esurety-Event": claim.event_type,
            "X-Esurety-Delivery": claim.delivery_id,
            "X-Esurety-Timestamp": str(timestamp),
            "X-Esurety-Signature": signing.signature(secret=claim.secret, timestamp=timestamp, body=claim.body),
        },
    )
    try:
        # The response body is not read: only the status counts.
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        note = "（リダイレクトには従いません）" if 300 <= exc.code < 400 else ""
        return _Outcome(ok=False, status_code=exc.code, error=f"HTTP {exc.code} {exc.reason}{note}")
    except Exception as exc:  # noqa: BLE001 - any network failure means retry later
        cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(cause, TargetRefused):
            return _Outcome(ok=False, status_code=None, error=str(cause))
        return _Outcome(ok=False, status_code=None, error=f"{type(exc).__name__}: {cause}")
    if 200 <= code < 300:
        return _Outcome(ok=True, status_code=code, error="")
    return _Outcome(ok=False, status_code=code, error=f"HTTP {code}")


def _record(claim: _Claim, outcome: _Outcome, at: dt.datetime) -> None:
    # Only while the claim is still ours: if the lease ran out and another worker
    # took the row, its result stands.
    mine = WebhookDelivery.objects.filter(pk=claim.pk, status=DeliveryStatus.PENDING, attempts=claim.attempts)
    if outcome.ok:
        mine.update(
            status=DeliveryStatus.DELIVERED, delivered_at=at, last_status_code=outcome.status_code, last_error=""
        )
        return
    logger.warning("webhook: delivery %s failed (attempt %s): %s", claim.pk, claim.attempts, outcome.error)
    given_up = claim.attempts >= MAX_ATTEMPTS
    retry_at = at + webhook_backoff(claim.attempts)
    recorded = mine.update(
        status=DeliveryStatus.FAILED if given_up else DeliveryStatus.PENDING,
        next_attempt_at=retry_at,
        last_status_code=outcome.status_code,
        last_error=outcome.error[:500],
    )
    if recorded and not given_up:
        deliver_webhook.using(run_after=retry_at).enqueue(claim.pk)


@task()
def deliver_webhook(delivery_pk: int) -> bool:
    """The task of one delivery attempt: POST the delivery if it is due; True if the receiver accepted it.

    Defined beside the work it runs, not in tasks.py, because this module enqueues it (retries,
    sweeps): the import graph stays one way (tasks.py imports this module, never the reverse).
    """
    return webhook_deliver(delivery_pk=delivery_pk, now=clock_now())


def webhook_deliver(*, delivery_pk: int, now: dt.datetime) -> bool:
    """One attempt at one delivery, if it is due; True if the receiver accepted it.

    Claimed and committed first, then POSTed with no transaction open; a failure
    books the next attempt (run_after = the backoff). Safe to run twice, in parallel.
    """
    claim = _claim(delivery_pk, now)
    if claim is None:
        return False
    outcome = _post(claim, now)
    _record(claim, outcome, now)
    return outcome.ok


def webhook_enqueue_stranded(*, now: dt.datetime, limit: int = 500) -> int:
    """Give a task to every due delivery that has none waiting (written before the queue, or a task lost)."""
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    return enqueue_missing(deliver_webhook, due.values_list("pk", flat=True)[:limit])


def webhook_deliveries_enqueue(pks: Iterable[int]) -> None:
    """On commit of the change that wrote the rows: one delivery task each."""
    for pk in pks:
        enqueue_on_commit(deliver_webhook, pk)
