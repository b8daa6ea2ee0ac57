"""Issues 6 and 12: POST /api/v1/verifications (number + key → certificate JSON) under gunicorn,
against the same trivial view as verify_throughput and a token-authenticated read of one received
certificate (GET /api/v1/certificates/{number}), with the same 500 valid pairs of the bench orderer.

The orderer's system calls with a bearer token issued for the run (through the
service, as `manage.py api_token create` would) and revoked afterwards.
Target (issue 12): the verification ≥ 0.8 × the read, in the same run.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bench.dataset import Dataset
from bench.http_load import SERVER_LABEL, lua_file, serving, wrk_run
from bench.suites import suite
from bench.verify_throughput import ROUNDS, lua_numbers, lua_pairs, ratio, rounds

PATH = "/api/v1/verifications"

LUA = """
pairs_list = { %(pairs)s }
counter = 0
failures = 0
request = function()
  counter = counter + 1
  local p = pairs_list[(counter %% #pairs_list) + 1]
  local body = '{"number": "' .. p[1] .. '", "key": "' .. p[2] .. '"}'
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %(token)s",
  }, body)
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"current_version"', 1, true) then failures = failures + 1 end
end
"""

READ_LUA = """
numbers = { %(numbers)s }
counter = 0
failures = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/certificates/" .. numbers[(counter %% #numbers) + 1],
    {["Authorization"] = "Bearer %(token)s"})
end
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"current_version"', 1, true) then failures = failures + 1 end
end
"""


def lua_script(*, pairs: str, token: str) -> str:
    return LUA % {"pairs": pairs, "path": PATH, "token": token}


@suite("api_verify_throughput")
def api_verify_throughput(data: Dataset) -> dict[str, Any]:
    from esurety.integrations.services import api_token_create, api_token_revoke

    orderer = data.orderer_user.orderer
    assert orderer is not None
    issued = api_token_create(by=None, orderer=orderer, name="ベンチマーク", now=timezone.now())
    try:
        script = lua_file(lua_script(pairs=lua_pairs(data.sample_numbers), token=issued.secret))
        read = lua_file(READ_LUA % {"numbers": lua_numbers(data.sample_numbers), "token": issued.secret})
        with serving() as base:
            wrk_run(base + "/healthz")  # warm-up
            wrk_run(base + PATH, script)  # … and every sample received, so that the reads never 404
            figures = rounds(
                base,
                {
                    "trivial_view": ("/healthz", lua_file("")),
                    "api_certificate": ("/", read),
                    "api_verify": ("/", script),
                },
            )
    finally:
        api_token_revoke(token=issued.token, by=None, now=timezone.now())
    return {
        "server": SERVER_LABEL,
        "rounds": ROUNDS,
        **figures,
        "ratio": ratio(figures["api_verify"], figures["trivial_view"]),
        "ratio_verify_to_read": ratio(figures["api_verify"], figures["api_certificate"]),
        "targets": {"verify_to_read": 0.8},
    }
