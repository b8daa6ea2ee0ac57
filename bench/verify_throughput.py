"""Issue 4: number + key → certificate page under gunicorn, against a trivial view of the same server.

wrk drives all of them in the same run; the verification requests rotate over
500 valid (number, key) pairs of the bench orderer among 1,000,000 guarantees.
Two baselines: /healthz (anonymous, no database) as the issue asks, and the
empty verification form for the same signed-in orderer, which pays the same
session, user and CSRF costs as the verification itself.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from bench.dataset import Dataset, key_for
from bench.http_load import SERVER_LABEL, lua_file, serving, wrk_run
from bench.suites import suite

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


def lua_pairs(numbers: list[str]) -> str:
    """The (number, key) pairs as a Lua table body: {"2070000001", "ABC…"}, …"""
    return ", ".join(f'{{"{n}", "{key_for(n)}"}}' for n in numbers)


@suite("verify_throughput")
def verify_throughput(data: Dataset) -> dict[str, Any]:
    # Stored in the database; the server's cached_db sessions fall back to it.
    client = Client()
    client.force_login(data.orderer_user)
    session = client.cookies["sessionid"].value
    script = lua_file(
        LUA
        % {"pairs": lua_pairs(data.sample_numbers), "csrf": CSRF, "cookie": f"sessionid={session}; csrftoken={CSRF}"}
    )
    form_script = lua_file(FORM_LUA % {"cookie": f"sessionid={session}; csrftoken={CSRF}"})
    with serving() as base:
        wrk_run(base + "/healthz")  # warm-up
        wrk_run(base + "/verify/", script)
        trivial = wrk_run(base + "/healthz")
        form = wrk_run(base + "/verify/", form_script)
        verify = wrk_run(base + "/verify/", script)
    return {
        "server": SERVER_LABEL,
        "trivial_view": trivial,
        "verify_form": form,
        "verify": verify,
        "ratio": round(verify["requests_per_s"] / trivial["requests_per_s"], 3),
        "ratio_to_form": round(verify["requests_per_s"] / form["requests_per_s"], 3),
    }
