"""When a mail cannot be sent, staff read why in Japanese; the exception itself goes to the log only.

Each case talks to a real peer that fails the way mail servers do: one that refuses the
recipient, one that refuses the password, one that never answers, one without STARTTLS.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.utils import timezone

from esurety.notifications import services as outbox_services
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.notifications.services import UNKNOWN_FAILURE, delivery_failure_reason
from tests.factories import World, make_guarantee
from tests.office.operations import client_for
from tests.queue import deliver_mail
from tests.smtp import HOST, free_port

TECHNICAL = ("Error", "Errno", "Exception", "Traceback", "NoneType", "smtplib", "refused", "SMTP")


class _RefuseRecipients:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"


class _Accept:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 Message accepted for delivery"


def _wrong_password(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


@pytest.fixture
def peer(settings: Any) -> Iterator[dict[str, Any]]:
    """Points Django's SMTP backend at 127.0.0.1:<free port>; the test starts whatever listens there."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    stops: list[Any] = []
    yield {"port": port, "stops": stops, "settings": settings}
    for stop in stops:
        stop()


def _controller(peer: dict[str, Any], handler: object, **kwargs: Any) -> None:
    controller = Controller(handler, hostname=HOST, port=peer["port"], **kwargs)
    controller.start()
    peer["stops"].append(controller.stop)


def _silent_server(peer: dict[str, Any]) -> None:
    """Accepts the connection and never says a word (a hung mail server)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, peer["port"]))
    listener.listen()
    accepted: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop() -> None:
        done.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()

    peer["stops"].append(stop)


def _deliver_once_and_read(world: World, caplog: pytest.LogCaptureFixture) -> tuple[OutboxMessage, str]:
    g = make_guarantee(world)
    with caplog.at_level(logging.WARNING, logger="esurety.notifications.services"):
        assert deliver_mail(now=timezone.now()) == 0
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    page = client_for(world.clerk).get("/office/outbox/").content.decode()
    assert g.number in page
    return message, page


def _assert_hidden_from_staff(message: OutboxMessage, page: str, reason_start: str) -> None:
    assert message.last_error.startswith(reason_start), message.last_error
    assert message.last_error in page
    for word in TECHNICAL:
        assert word not in message.last_error


def test_recipient_refused(world: World, peer: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    _controller(peer, _RefuseRecipients())
    message, page = _deliver_once_and_read(world, caplog)
    _assert_hidden_from_staff(message, page, "宛先拒否")
    assert "Recipient address rejected" not in page
    # The worker's log keeps what the server said.
    assert "SMTPRecipientsRefused" in caplog.text and "Recipient address rejected" in caplog.text


def test_wrong_password(world: World, peer: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    _controller(peer, _Accept(), authenticator=_wrong_password, auth_require_tls=False)
    peer["settings"].EMAIL_HOST_USER = "esurety"
    peer["settings"].EMAIL_HOST_PASSWORD = "wrong"
    message, page = _deliver_once_and_read(world, caplog)
    _assert_hidden_from_staff(message, page, "認証エラー")
    assert "SMTPAuthenticationError" in caplog.text


def test_server_that_never_answers(world: World, peer: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    _silent_server(peer)
    peer["settings"].EMAIL_TIMEOUT = 1
    message, page = _deliver_once_and_read(world, caplog)
    _assert_hidden_from_staff(message, page, "応答なし（")
    assert "TimeoutError" in caplog.text


def test_tls_required_but_not_offered(world: World, peer: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    _controller(peer, _Accept())
    peer["settings"].EMAIL_USE_TLS = True
    message, page = _deliver_once_and_read(world, caplog)
    _assert_hidden_from_staff(message, page, "暗号化（TLS）エラー")
    assert "STARTTLS" in caplog.text


def test_server_down(world: World, peer: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    message, page = _deliver_once_and_read(world, caplog)
    _assert_hidden_from_staff(message, page, "接続できません")
    assert "ConnectionRefusedError" in caplog.text


def test_a_bug_in_sending_shows_a_neutral_reason(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # What the demo hit: a backend without a folder failing with a TypeError about None.
    def broken(message: OutboxMessage) -> None:
        raise TypeError("expected str, bytes or os.PathLike object, not NoneType")

    monkeypatch.setattr(outbox_services, "_send", broken)
    message, page = _deliver_once_and_read(world, caplog)
    assert message.last_error == UNKNOWN_FAILURE == "送信できませんでした（詳細はログ）"
    assert UNKNOWN_FAILURE in page
    assert "NoneType" not in page and "TypeError" not in page
    assert "TypeError" in caplog.text and "NoneType" in caplog.text
    # The traceback is in the log record, for whoever runs the worker.
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    ("exc", "start"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no")}), "宛先拒否"),
        (smtplib.SMTPSenderRefused(553, b"no", "from@example.com"), "送信元拒否"),
        (smtplib.SMTPAuthenticationError(535, b"bad"), "認証エラー"),
        (smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server."), "認証エラー"),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), "暗号化（TLS）エラー"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "暗号化（TLS）エラー"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "接続が切れました"),
        (smtplib.SMTPDataError(554, b"spam"), "メールサーバーが受け付けませんでした（応答コード 554）"),
        (TimeoutError("timed out"), "応答なし（"),
        (socket.gaierror(-2, "Name or service not known"), "接続できません"),
        (ConnectionRefusedError(111, "Connection refused"), "接続できません"),
        (OSError(101, "Network is unreachable"), "接続できません"),
        (ValueError("attachment has no content left"), UNKNOWN_FAILURE),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_reason_for_each_failure(exc: BaseException, start: str) -> None:
    reason = delivery_failure_reason(exc)
    assert reason.startswith(start)
    assert str(exc) not in reason
