"""Issue 4: number + key → certificate page under gunicorn, against a trivial view of the same server.

wrk drives all of them in the same run; the verification requests rotate over
500 valid (number, key) pairs of the bench orderer among 1,000,000 guarantees.
Two baselines: /healthz (anonymous, no database) as the issue asks, and the
empty verification form for the same signed-in orderer, which pays the same
session, user and CSRF costs as the verification itself.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from bench.dataset import Dataset, key_for
from bench.suites import suite

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8093"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
CSRF = "b" * 32

LUA = """
pairs_list = { %(pairs)s }
counter = 0
failures = 0
request = function()
  counter = counter + 1
  local p = pairs_list[(counter %% #pairs_list) + 1]
  local body = "csrfmiddlewaretoken=%(csrf)s&number=" .. p[1] .. "&key=" .. p[2]
  return wrk.format("POST", "/verify/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s",
  }, body)
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "certificate__title", 1, true) then failures = failures + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("FAILURES %%d\\n", failures))
end
"""

FORM_LUA = """
request = function()
  return wrk.format("GET", "/verify/", {["Cookie"] = "%(cookie)s"})
end
"""


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _parse(output: str) -> dict[str, Any]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    failures = re.search(r"FAILURES (\d+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": rps,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "failures": int(failures.group(1)) if failures else int(non2xx.group(1)) if non2xx else 0,
    }


def _wrk(url: str, script: str | None = None) -> dict[str, Any]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    return _parse(out)


@suite("verify_throughput")
def verify_throughput(data: Dataset) -> dict[str, Any]:
    # Stored in the database; the server's cached_db sessions fall back to it.
    client = Client()
    client.force_login(data.orderer_user)
    session = client.cookies["sessionid"].value
    pairs = ", ".join(f'{{"{n}", "{key_for(n)}"}}' for n in data.sample_numbers)
    env = {
        **os.environ,
        "SECRET_KEY": settings.SECRET_KEY,
        "ACCESS_KEY_SECRET": settings.ACCESS_KEY_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "esurety.config.wsgi",
            "--pythonpath",
            str(ROOT / "src"),
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
        _wait_for_port(PORT)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % {"pairs": pairs, "csrf": CSRF, "cookie": f"sessionid={session}; csrftoken={CSRF}"})
        base = f"http://127.0.0.1:{PORT}"
        _wrk(base + "/healthz")  # warm-up
        _wrk(base + "/verify/", lua.name)
        trivial = _wrk(base + "/healthz")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as form_lua:
            form_lua.write(FORM_LUA % {"cookie": f"sessionid={session}; csrftoken={CSRF}"})
        form = _wrk(base + "/verify/", form_lua.name)
        verify = _wrk(base + "/verify/", lua.name)
        return {
            "server": f"gunicorn, {WORKERS} sync workers; wrk 1 thread, {CONNECTIONS} connections, {DURATION}",
            "trivial_view": trivial,
            "verify_form": form,
            "verify": verify,
            "ratio": round(verify["requests_per_s"] / trivial["requests_per_s"], 3),
            "ratio_to_form": round(verify["requests_per_s"] / form["requests_per_s"], 3),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
