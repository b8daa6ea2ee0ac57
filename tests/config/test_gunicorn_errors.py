"""The real gunicorn with the repository's gunicorn.conf.py: its own errors answer in Japanese JSON,
and a long Japanese search URL (as a login redirect re-encodes it) still reaches Django."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The server runs on a SQLite database of its own, whatever the suite's: once is enough.
pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    # None of these requests reads the database.
    database = tmp_path_factory.mktemp("gunicorn") / "unused.sqlite3"
    env = {**os.environ, "ESURETY_TESTING": "1", "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("REDIS_URL", None)
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "esurety.config.wsgi",
        "--pythonpath",
        "src",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    # From the repository, as `make demo` and README's production command run it: gunicorn.conf.py applies.
    process = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if exchange(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(
                    "gunicorn did not start: " + (process.stderr.read().decode() if process.stderr else "")
                )
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and "connection: close" not in data.split(b"\r\n\r\n")[0].decode().lower():
                break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def json_answer(answer: tuple[int, dict[str, str], bytes], status: int, code: str) -> dict[str, Any]:
    got_status, headers, body = answer
    assert got_status == status, body
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    parsed: dict[str, Any] = json.loads(body.decode())
    assert parsed["code"] == code and not parsed["message"].isascii()
    return parsed


def test_a_url_over_the_limit_is_a_japanese_json_answer(server: int) -> None:
    # About 9 KB: over the 8190 limit, yet read whole by gunicorn (two 8 KB reads), so it
    # closes the connection with nothing unread and the answer is not lost to a reset.
    request = b"GET /api/v1/certificates?q=" + b"%E6%A9%8B" * 1000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer = json_answer(exchange(server, request), 400, "request_line_too_long")
    assert "URLが長すぎる" in answer["message"]


def test_too_many_headers_are_a_japanese_json_answer(server: int) -> None:
    headers = b"".join(b"X-Filler-%d: x\r\n" % i for i in range(120))
    json_answer(
        exchange(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"), 431, "request_headers_too_large"
    )


def test_a_request_that_is_not_http_is_a_japanese_json_answer(server: int) -> None:
    json_answer(exchange(server, b"HELLO THERE\r\n\r\n"), 400, "bad_request")


def test_a_long_japanese_search_after_a_login_redirect_still_reaches_django(server: int) -> None:
    # The office search's three text fields at their maximum, percent-encoded twice (?next=…).
    term = "%25E6%25A9%258B"
    url = "/login/?next=%2Foffice%2Fguarantees%2F%3Fwork_name%3D" + term * 200 + "%26contractor%3D" + term * 100
    url += "%26orderer%3D" + term * 100
    assert 4094 < len(url) < 8000  # over gunicorn's default limit, under ours
    status, _, _ = exchange(server, f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert status == 200
