"""gunicorn's own error answers, in the API's JSON shape and in Japanese.

gunicorn answers some requests before Django ever sees them: a request line over
``limit_request_line`` (a very long URL), too many or too large headers, a request that
is not HTTP. Its stock answer is an English HTML page. It cannot know whether a person
or an integrator is asking (the path may not even have been read), so esurety answers
every one of them as the API answers errors, ``{"code", "message"}``, which an
integrator parses and a person reads in the browser.

This replaces ``gunicorn.util.write_error`` (gunicorn==23.0.0, pinned); the test
tests/config/test_gunicorn_errors.py runs the real server and fails if an upgrade
bypasses it. Loaded by the repository's gunicorn.conf.py. No Django here: it runs in
gunicorn's master before any app is loaded.
"""

from __future__ import annotations

import json
import socket

from gunicorn import util  # type: ignore[import-untyped]

SERVER_ERROR = "サーバーで問題が発生したため、処理を完了できませんでした。時間をおいて再度お試しください。"

# gunicorn's status → (code, message); the 400s are told apart by gunicorn's English text.
_BY_STATUS = {
    400: ("bad_request", "リクエストの形式が正しくないため、処理できません。"),
    403: ("forbidden", "このリクエストは受け付けられません。"),
    431: (
        "request_headers_too_large",
        "リクエストヘッダーが多すぎるか、大きすぎます。ブラウザのCookieを削除してから、もう一度お試しください。",
    ),
    500: ("server_error", SERVER_ERROR),
    501: ("not_implemented", "このリクエストの転送形式（Transfer-Encoding）には対応していません。"),
}
_LINE_TOO_LONG = (
    "request_line_too_long",
    "URLが長すぎるため、処理できません。検索条件などを短くして、もう一度お試しください。",
)


def error_answer(status: int, mesg: str) -> tuple[str, str]:
    if status == 400 and mesg.startswith("Request Line is too large"):
        return _LINE_TOO_LONG
    return _BY_STATUS.get(status, _BY_STATUS[400])


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Same signature and framing as gunicorn's, with a UTF-8 JSON body."""
    code, message = error_answer(status_int, mesg)
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install_error_answers() -> None:
    util.write_error = write_error
