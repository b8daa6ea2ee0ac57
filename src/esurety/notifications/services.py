"""Queue e-mails in the outbox and deliver them with retries.

Enqueueing happens inside the business transaction (so a mail exists iff
the change committed); delivery happens later in the worker, never inside
a request.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from esurety.core.clock import now as clock_now
from esurety.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600


def outbox_enqueue(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    at: dt.datetime,
    obj: Any = None,
) -> OutboxMessage | None:
    """Render subject / text / html now and store the message for the worker."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        logger.warning("outbox: no recipient for template %s", template)
        return None
    context = {**context, "site_url": settings.SITE_URL}
    base = f"notifications/emails/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    body_text = render_to_string(f"{base}_body.txt", context)
    body_html = render_to_string(f"{base}_body.html", context)
    return OutboxMessage.objects.create(
        template=template,
        to=recipients,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        next_attempt_at=at,
        created_at=at,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _send(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        headers={"Message-ID": f"<outbox-{message.pk}@esurety>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = 50) -> int:
    """Deliver due messages; returns how many were sent. Safe to run in several workers."""
    sent = 0
    for _ in range(limit):
        at = now or clock_now()
        with transaction.atomic():
            # skip_locked lets parallel workers take different rows; the row
            # lock is held while sending so no message goes out twice.
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=at)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if message is None:
                break
            message.attempts += 1
            try:
                _send(message)
            except Exception as exc:  # noqa: BLE001 - any SMTP/network failure means retry later
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
                else:
                    message.next_attempt_at = at + backoff(message.attempts)
                logger.warning("outbox: message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
                message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                continue
            message.status = OutboxStatus.SENT
            message.sent_at = at
            message.last_error = ""
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            sent += 1
    return sent
