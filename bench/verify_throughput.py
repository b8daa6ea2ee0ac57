"""Issues 4 and 12: number + key → certificate under gunicorn, against two baselines of the same server.

wrk drives all of them in the same run; the verification requests rotate over
500 valid (number, key) pairs of the bench orderer among 1,000,000 guarantees.
A verification is the POST that answers 303 to the certificate's own page
(POST → redirect → GET); the page it leads to is measured on its own
(`certificate_page`, a look at a received certificate). Baselines: /healthz
(anonymous, no database) and the empty verification form for the same
signed-in orderer, which pays the same session, user and CSRF costs; between
them the signed-in floor (bench/server_urls.py), which pays those costs and
draws nothing: the ceiling of any signed-in page on this server.

Targets (issue 12): verification ≥ 0.8 × the form page, p99 < 50 ms; the form
page ≥ 0.3 × /healthz. The machine is shared: the kinds alternate for
BENCH_ROUNDS rounds and the ratios are taken from the summed requests of all
rounds, so that a busy minute weighs on every kind alike.
"""

from __future__ import annotations

import os
from typing import Any

from django.test import Client

from bench.dataset import Dataset, key_for
from bench.http_load import SERVER_LABEL, lua_file, serving, wrk_run
from bench.suites import suite

CSRF = "b" * 32
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))

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
  local location = headers["Location"] or ""
  if status ~= 303 or not string.find(location, "/verify/certificates/", 1, true) then failures = failures + 1 end
end
"""

FORM_LUA = """
failures = 0
request = function()
  return wrk.format("GET", "/verify/", {["Cookie"] = "%(cookie)s"})
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "verify-form", 1, true) then failures = failures + 1 end
end
"""

FLOOR_LUA = """
failures = 0
request = function()
  return wrk.format("GET", "/bench/signed-in-floor/", {["Cookie"] = "%(cookie)s"})
end
response = function(status, headers, body)
  if status ~= 200 or body ~= "signed-in-floor" then failures = failures + 1 end
end
"""

PAGE_LUA = """
numbers = { %(numbers)s }
counter = 0
failures = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/verify/certificates/" .. numbers[(counter %% #numbers) + 1] .. "/",
    {["Cookie"] = "%(cookie)s"})
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "certificate__title", 1, true) then failures = failures + 1 end
end
"""


def lua_pairs(numbers: list[str]) -> str:
    """The (number, key) pairs as a Lua table body: {"2070000001", "ABC…"}, …"""
    return ", ".join(f'{{"{n}", "{key_for(n)}"}}' for n in numbers)


def lua_numbers(numbers: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in numbers)


def rounds(base: str, kinds: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Each kind (path, script) once per round, in turn; per kind its runs and their sum."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in kinds}
    for _ in range(ROUNDS):
        for name, (path, script) in kinds.items():
            runs[name].append(wrk_run(base + path, script))
    return {name: summary(r) for name, r in runs.items()}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Requests/s over all runs of a kind; the worst run's percentiles (the target is a bound)."""
    return {
        "requests_per_s": round(sum(r["requests_per_s"] for r in runs) / len(runs), 1),
        "p50_ms": max(r["p50_ms"] for r in runs),
        "p95_ms": max(r["p95_ms"] for r in runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "failures": sum(r["failures"] for r in runs),
        "runs": runs,
    }


def ratio(a: dict[str, Any], b: dict[str, Any]) -> float:
    return round(a["requests_per_s"] / b["requests_per_s"], 3)


@suite("verify_throughput")
def verify_throughput(data: Dataset) -> dict[str, Any]:
    # Stored in the database; the server's cached_db sessions fall back to it.
    client = Client()
    client.force_login(data.orderer_user)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF}"
    verify = lua_file(LUA % {"pairs": lua_pairs(data.sample_numbers), "csrf": CSRF, "cookie": cookie})
    kinds = {
        "trivial_view": ("/healthz", lua_file("")),
        "signed_in_floor": ("/bench/signed-in-floor/", lua_file(FLOOR_LUA % {"cookie": cookie})),
        "verify_form": ("/verify/", lua_file(FORM_LUA % {"cookie": cookie})),
        "verify": ("/verify/", verify),
        "certificate_page": (
            "/verify/",
            lua_file(PAGE_LUA % {"numbers": lua_numbers(data.sample_numbers), "cookie": cookie}),
        ),
    }
    with serving() as base:
        wrk_run(base + "/healthz")  # warm-up
        wrk_run(base + "/verify/", verify)  # … and every sample received: the runs below repeat verifications
        figures = rounds(base, kinds)
    return {
        "server": SERVER_LABEL,
        "rounds": ROUNDS,
        **figures,
        "ratio_verify_to_form": ratio(figures["verify"], figures["verify_form"]),
        "ratio_form_to_trivial": ratio(figures["verify_form"], figures["trivial_view"]),
        "ratio_verify_to_trivial": ratio(figures["verify"], figures["trivial_view"]),
        # The ceiling of any signed-in page, and the form page against it (bench/server_urls.py).
        "ratio_floor_to_trivial": ratio(figures["signed_in_floor"], figures["trivial_view"]),
        "ratio_form_to_floor": ratio(figures["verify_form"], figures["signed_in_floor"]),
        "ratio_verify_to_floor": ratio(figures["verify"], figures["signed_in_floor"]),
        "targets": {"verify_to_form": 0.8, "verify_p99_ms": 50, "form_to_trivial": 0.3},
    }
