"""The demo's mail: each message written as one .eml file, and read back for the demo mailbox.

`make demo` sets EMAIL_BACKEND=esurety.demo.mail.EmailBackend and EMAIL_FILE_PATH. A whole
RFC 5322 message per file keeps what Django's file backend loses for a reader: the HTML
part and the attachments, so the demo's mailbox can show the mail as a person receives it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage as DjangoEmailMessage
from django.utils import timezone

from esurety.core.clock import TOKYO

SUFFIX = ".eml"
# File names the backend writes: a sortable UTC time stamp, then randomness (no path parts).
MESSAGE_ID_PATTERN = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{12}$")


def mail_dir() -> Path:
    return Path(str(settings.EMAIL_FILE_PATH))


class EmailBackend(BaseEmailBackend):
    """Writes every message as its own .eml file into EMAIL_FILE_PATH (the demo's var/demo-mail/)."""

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path) if file_path else mail_dir()

    def send_messages(self, email_messages: Sequence[DjangoEmailMessage]) -> int:
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        written = 0
        for message in email_messages:
            if not message.recipients():
                continue
            self._write(message.message().as_bytes(linesep="\r\n"))
            written += 1
        return written

    def _write(self, raw: bytes) -> Path:
        stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self.directory / f"{stamp}-{secrets.token_hex(6)}{SUFFIX}"
        # Written aside, then renamed: the mailbox never reads half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(raw)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


@dataclass(frozen=True)
class MailAttachment:
    index: int
    filename: str
    content_type: str
    size: int


# Only http(s) addresses in ASCII: Japanese text runs into a URL without a space, so a
# general "urlize" would swallow the words after it (「…example.com）に届きます」).
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
_URL_TRAILING = ".,;:!?)'"


def text_parts(text: str) -> list[tuple[str, bool]]:
    """The text part cut into (text, is_link) pieces, for a template to link without marking anything safe."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for found in _URL.finditer(text):
        url = found.group().rstrip(_URL_TRAILING)
        if found.start() > position:
            parts.append((text[position : found.start()], False))
        parts.append((url, True))
        position = found.start() + len(url)
    if position < len(text):
        parts.append((text[position:], False))
    return parts


@dataclass(frozen=True)
class Mail:
    id: str
    subject: str
    sender: str
    to: str
    reply_to: str
    date: dt.datetime | None
    text: str
    html: str
    attachments: list[MailAttachment]

    @property
    def text_parts(self) -> list[tuple[str, bool]]:
        return text_parts(self.text)


def _read(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)  # the default policy builds EmailMessage objects
    return parsed


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype or not isinstance(part, EmailMessage):
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def _attachment_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.iter_attachments() if isinstance(part, EmailMessage)]


def _mail(mail_id: str, message: EmailMessage) -> Mail:
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    if date is not None:
        # Django dates its mail in UTC as "-0000", which parses to a naive time: the
        # template's date filter would print that UTC clock as is. The reader is in Tokyo.
        if date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
        date = date.astimezone(TOKYO)
    attachments = [
        MailAttachment(
            index=i,
            filename=part.get_filename() or f"添付ファイル{i + 1}",
            content_type=part.get_content_type(),
            size=len(part.get_payload(decode=True) or b""),
        )
        for i, part in enumerate(_attachment_parts(message))
    ]
    return Mail(
        id=mail_id,
        subject=str(message["Subject"] or "（件名なし）"),
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        reply_to=str(message["Reply-To"] or ""),
        date=date,
        text=_body(message, "plain"),
        html=_body(message, "html"),
        attachments=attachments,
    )


def mailbox_list() -> list[Mail]:
    """Every message in the demo's mail folder, newest first."""
    directory = mail_dir()
    if not directory.is_dir():
        return []
    paths = [p for p in directory.glob(f"*{SUFFIX}") if MESSAGE_ID_PATTERN.match(p.stem)]
    return [_mail(p.stem, _read(p)) for p in sorted(paths, key=lambda p: p.name, reverse=True)]


def _path(mail_id: str) -> Path | None:
    # Only names the backend writes: nothing outside the folder can be named.
    if not MESSAGE_ID_PATTERN.match(mail_id):
        return None
    path = mail_dir() / f"{mail_id}{SUFFIX}"
    return path if path.is_file() else None


def mailbox_get(mail_id: str) -> Mail | None:
    path = _path(mail_id)
    return _mail(mail_id, _read(path)) if path is not None else None


def mailbox_attachment(mail_id: str, index: int) -> tuple[MailAttachment, bytes] | None:
    path = _path(mail_id)
    if path is None:
        return None
    message = _read(path)
    parts = _attachment_parts(message)
    if not 0 <= index < len(parts):
        return None
    part = parts[index]
    content = part.get_payload(decode=True)
    data = content if isinstance(content, bytes) else b""
    return _mail(mail_id, message).attachments[index], data
