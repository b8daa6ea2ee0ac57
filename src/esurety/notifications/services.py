"""Queue e-mails in the outbox and deliver them with retries.

Enqueueing happens inside the business transaction (so a mail exists iff
the change committed); its delivery is a task enqueued on commit and run by
the worker (`manage.py run_worker`), never inside a request: claimed in a
short transaction, committed, then sent. A failed attempt books the next
one with ``run_after`` (backoff); the sweeper finds any due message left
without a task.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.header import Header
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

from esurety.audit.services import audit_record
from esurety.core.actors import SuretyActor
from esurety.core.clock import now as clock_now
from esurety.core.errors import InvalidStateError
from esurety.core.tasks import enqueue_missing, enqueue_on_commit
from esurety.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def _attachment_cipher() -> AESGCM:
    # The key notice PDF carries an access key, which is never stored in plain text:
    # attachments wait in the outbox encrypted (ACCESS_KEY_SECRET outlives SECRET_KEY rotations).
    secret = getattr(settings, "ACCESS_KEY_SECRET", "") or settings.SECRET_KEY
    return AESGCM(hashlib.sha256(f"esurety:outbox-attachment:{secret}".encode()).digest())


def _seal(attachment: Attachment) -> dict[str, Any]:
    nonce = os.urandom(12)
    associated = f"{attachment.filename}\x00{attachment.content_type}".encode()
    sealed = nonce + _attachment_cipher().encrypt(nonce, attachment.content, associated)
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": len(attachment.content),
        "sha256": hashlib.sha256(attachment.content).hexdigest(),
        "sealed": base64.b64encode(sealed).decode("ascii"),
    }


def _unseal(stored: dict[str, Any]) -> Attachment:
    if not stored.get("sealed"):
        raise ValueError(f"attachment {stored.get('filename')!r} has no content left")
    data = base64.b64decode(stored["sealed"])
    associated = f"{stored['filename']}\x00{stored['content_type']}".encode()
    content = _attachment_cipher().decrypt(data[:12], data[12:], associated)
    return Attachment(filename=stored["filename"], content=content, content_type=stored["content_type"])


def _drop_contents(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What stays after sending: the names, sizes and hashes, as evidence of what was sent."""
    return [{k: v for k, v in a.items() if k != "sealed"} for a in attachments]


def outbox_enqueue(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    at: dt.datetime,
    obj: Any = None,
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
) -> OutboxMessage | None:
    """Render subject / text / html now and store the message (and its attachments) for the worker."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        logger.warning("outbox: no recipient for template %s", template)
        return None
    context = {**context, "site_url": settings.SITE_URL}
    base = f"notifications/emails/{template}"
    # One line (no header injection), within the column (a long 工事名 must not fail the write).
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())[:255]
    body_text = render_to_string(f"{base}_body.txt", context)
    body_html = render_to_string(f"{base}_body.html", context)
    message = OutboxMessage.objects.create(
        template=template,
        to=recipients,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        next_attempt_at=at,
        created_at=at,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        attachments=[_seal(a) for a in attachments],
        reply_to=[address for address in reply_to if address],
    )
    enqueue_on_commit(deliver_outbox_message, message.pk)
    return message


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] if "@" in address else ""
    return domain or urlsplit(settings.SITE_URL).hostname or "esurety.invalid"


def message_id(message: OutboxMessage) -> str:
    """The same on every retry, so a receiver can drop a copy if a failed attempt did get through."""
    return f"<outbox-{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"


class _OutboxEmail(EmailMultiAlternatives):
    def message(self) -> Any:
        msg = super().message()
        subject = str(self.subject)
        if not subject.isascii():
            # Django 5.2 encodes a Japanese subject without counting "Subject: ", so the
            # first encoded word does not fit and the line folds right after the colon;
            # readers then show the subject with a leading space. Encode it knowing the name.
            msg.replace_header("Subject", Header(subject, "utf-8", header_name="Subject").encode())
        return msg


def _send(message: OutboxMessage) -> None:
    email = _OutboxEmail(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        reply_to=list(message.reply_to or []),
        headers={"Message-ID": message_id(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for stored in message.attachments or []:
        attachment = _unseal(stored)
        email.attach(attachment.filename, attachment.content, attachment.content_type)
    email.send(fail_silently=False)


UNKNOWN_FAILURE = "送信できませんでした（詳細はログ）"


def delivery_failure_reason(exc: BaseException) -> str:
    """What staff read on 送信メール: the cause in Japanese, never the exception's text.

    The exception itself (which may name hosts, accounts or code) goes to the log.
    Order matters: the SMTP errors are OSErrors too, and the most specific wins.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "宛先拒否（宛先のメールアドレスを受け付けられませんでした）"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "送信元拒否（送信元のメールアドレスを受け付けられませんでした）"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "認証エラー（メールサーバーのユーザー名・パスワードが誤っています）"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # smtplib names the missing extension only in the message.
        if "AUTH" in str(exc):
            return "認証エラー（メールサーバーが認証に対応していません）"
        if "STARTTLS" in str(exc):
            return "暗号化（TLS）エラー（メールサーバーがSTARTTLSに対応していません）"
        return "メールサーバーが必要な機能に対応していません"
    if isinstance(exc, ssl.SSLError):
        return "暗号化（TLS）エラー（暗号化した接続を確立できません）"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        # smtplib reports a server that never answers as a disconnection caused by the timeout.
        return delivery_failure_reason(exc.__context__)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "接続が切れました（メールサーバーが送信の途中で切断しました）"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"メールサーバーが受け付けませんでした（応答コード {exc.smtp_code}）"
    if isinstance(exc, smtplib.SMTPException):
        return "メールサーバーとのやり取りに失敗しました"
    if isinstance(exc, TimeoutError):
        return "応答なし（メールサーバーが時間内に応答しませんでした）"
    if isinstance(exc, socket.gaierror):
        return "接続できません（メールサーバーのホスト名が見つかりません）"
    if isinstance(exc, ConnectionRefusedError):
        return "接続できません（メールサーバーが接続を拒否しました）"
    if isinstance(exc, OSError):
        return "接続できません（メールサーバーに届きません）"
    return UNKNOWN_FAILURE


# Far longer than one attempt can take (EMAIL_TIMEOUT per step of the SMTP dialogue): a claimed
# message is not claimed again meanwhile; if its worker died mid-send it is due again after this.
LEASE = dt.timedelta(minutes=10)


def _claim(*, message_id: int, at: dt.datetime) -> OutboxMessage | None:
    """Take one attempt at the message if it is due: a short transaction of its own, committed before sending.

    The conditional UPDATE is the lock: of two workers holding a task for the same
    message (a sweeper's copy, a retry), one moves it out of the due set and the
    other changes nothing. No transaction stays open while the SMTP server answers.
    """
    message = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=at).first()
    if message is None:
        return None
    claimed = OutboxMessage.objects.filter(
        pk=message.pk,
        status=OutboxStatus.PENDING,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at,
    ).update(attempts=message.attempts + 1, next_attempt_at=at + LEASE)
    if not claimed:
        return None
    message.attempts += 1
    return message


@task()
def deliver_outbox_message(message_id: int) -> bool:
    """The task of one delivery attempt: send the message if it is due; True if it went out.

    Defined beside the work it runs, not in tasks.py, because the writes above enqueue it: the
    import graph stays one way (tasks.py imports this module, never the reverse).
    """
    return outbox_deliver(message_id=message_id, now=clock_now())


def outbox_deliver(*, message_id: int, now: dt.datetime) -> bool:
    """One attempt at one message, if it is due; True if it went out.

    Safe to run twice and in several workers at once (see _claim). A failed attempt
    books the next one after the backoff; the last one gives up (FAILED, staff may 「再送」).
    """
    message = _claim(message_id=message_id, at=now)
    if message is None:
        return False
    # Only while the claim is ours: if the lease ran out and another worker took it, its result stands.
    mine = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts)
    try:
        _send(message)
    except Exception as exc:  # noqa: BLE001 - any SMTP/network failure means retry later
        # The technical detail (and traceback) for whoever runs the worker.
        logger.warning(
            "outbox: message %s failed (attempt %s): %s: %s",
            message.pk,
            message.attempts,
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
        given_up = message.attempts >= MAX_ATTEMPTS
        retry_at = now + backoff(message.attempts)
        # The attachments stay (encrypted) when it gives up: staff may 「再送」 a failed message.
        mine.update(
            last_error=delivery_failure_reason(exc),
            status=OutboxStatus.FAILED if given_up else OutboxStatus.PENDING,
            # Given up, it keeps the time it was due (as before the claim).
            next_attempt_at=message.next_attempt_at if given_up else retry_at,
        )
        if not given_up:
            deliver_outbox_message.using(run_after=retry_at).enqueue(message.pk)
        return False
    mine.update(
        status=OutboxStatus.SENT,
        sent_at=now,
        last_error="",
        attachments=_drop_contents(message.attachments or []),
    )
    return True


def outbox_enqueue_stranded(*, now: dt.datetime, limit: int = 500) -> int:
    """Give a task to every due message that has none waiting (written before the queue, or a task lost)."""
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    return enqueue_missing(deliver_outbox_message, due.values_list("pk", flat=True)[:limit])


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, by: SuretyActor, now: dt.datetime) -> OutboxMessage:
    """「再送」 of a message that gave up (送信失敗): back to 送信待ち with a fresh set of attempts."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status != OutboxStatus.FAILED:
        raise InvalidStateError("送信失敗のメールのみ再送できます。")
    before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
    locked.status = OutboxStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = now
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    enqueue_on_commit(deliver_outbox_message, locked.pk)
    audit_record(
        actor=by,
        action="outbox.retry",
        obj=locked,
        at=now,
        before=before,
        after={"status": locked.status, "attempts": 0, "subject": locked.subject},
        surety_id=by.surety_id,
    )
    return locked
