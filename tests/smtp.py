"""A real SMTP server (aiosmtpd) for tests that check what actually goes over the wire.

Use the fixtures from any test module or conftest:

    from tests.smtp import smtp_server, smtp_server_down  # noqa: F401

`smtp_server` is listening on 127.0.0.1 on a free port and Django's settings
point the SMTP backend at it; `smtp_server.messages` lists what it received.
`smtp_server_down` is configured the same way but not started, so sending
fails with "connection refused" until the test calls `.start()`. Set
`.delay` (seconds) to make the server take that long before accepting each
message, like a slow relay.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(init=False)

    def __post_init__(self) -> None:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.message = parsed

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def _part(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        if part is None or part.get_content_subtype() != subtype:
            return ""
        content: str = part.get_content()
        return content

    @property
    def text(self) -> str:
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")


class _Handler:
    def __init__(self, inbox: list[ReceivedMail], server: SmtpServer) -> None:
        self.inbox = inbox
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # name set by aiosmtpd
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        raw = envelope.original_content or envelope.content
        self.inbox.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(raw)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.host = HOST
        self.port = port
        self.messages: list[ReceivedMail] = []
        self.delay = 0.0
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(_Handler(self.messages, self), hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None


def _configure(settings: Any, server: SmtpServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A running SMTP server that Django sends to."""
    server = SmtpServer(free_port())
    server.start()
    _configure(settings, server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server_down(settings: Any) -> Iterator[SmtpServer]:
    """Django is configured to send to this server, which is not listening until `.start()`."""
    server = SmtpServer(free_port())
    _configure(settings, server)
    try:
        yield server
    finally:
        server.stop()
