"""Load under gunicorn with wrk, shared by the throughput benchmarks.

`serving()` starts the real server (sync workers, Redis for the shared
limits) on BENCH_PORT; `wrk_run()` drives it and returns requests/s, p50, p99
and the failures the Lua script counted (or wrk's non-2xx count).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8093"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
BASE_URL = f"http://127.0.0.1:{PORT}"
SERVER_LABEL = f"gunicorn, {WORKERS} sync workers; wrk 1 thread, {CONNECTIONS} connections, {DURATION}"


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


# Appended to every script: wrk's own --latency table has no p95. A script counts its own
# failures in the global `failures` (checks beyond the status, e.g. the redirect's target).
DONE_LUA = """
done = function(summary, latency, requests)
  if failures ~= nil then io.write(string.format("FAILURES %d\\n", failures)) end
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("P%d %d\\n", p, latency:percentile(p)))
  end
end
"""


def parse_wrk(output: str) -> dict[str, Any]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    def lua_ms(p: int) -> float:
        m = re.search(rf"^P{p} (\d+)$", output, re.MULTILINE)
        return round(int(m.group(1)) / 1000, 2) if m else ms(str(p))

    failures = re.search(r"FAILURES (\d+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    return {
        "requests_per_s": rps,
        "requests": int(total.group(1)) if total else None,
        "p50_ms": lua_ms(50),
        "p95_ms": lua_ms(95),
        "p99_ms": lua_ms(99),
        "failures": int(failures.group(1)) if failures else int(non2xx.group(1)) if non2xx else 0,
    }


def wrk_run(url: str, script: str | None = None) -> dict[str, Any]:
    """One wrk run; its figures and the machine's load average (1 min) before and after it."""
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", script or lua_file("")]
    load_before = os.getloadavg()[0]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    return {**parse_wrk(out), "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def lua_file(source: str) -> str:
    """Write a wrk script (with the common `done`) to a temporary file and return its path."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(source + DONE_LUA)
    return lua.name


@contextmanager
def serving() -> Iterator[str]:
    """gunicorn serving this settings' database on BASE_URL, stopped (with its workers) afterwards."""
    env = {
        **os.environ,
        "SECRET_KEY": settings.SECRET_KEY,
        "ACCESS_KEY_SECRET": settings.ACCESS_KEY_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        # The product's settings with one bench-only page appended to its URLs (bench/server_urls.py).
        "DJANGO_SETTINGS_MODULE": "bench.server_settings",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "esurety.config.wsgi",
            "--pythonpath",
            f"{ROOT / 'src'},{ROOT}",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        wait_for_port(PORT)
        yield BASE_URL
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
