"""Issue 6: POST /api/v1/verifications (number + key → certificate JSON) under gunicorn, against
the same trivial view as verify_throughput, with the same 500 valid pairs of the bench orderer.

The orderer's system calls with a bearer token issued for the run (through the
service, as `manage.py api_token create` would) and revoked afterwards.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bench.dataset import Dataset
from bench.http_load import SERVER_LABEL, lua_file, serving, wrk_run
from bench.suites import suite
from bench.verify_throughput import lua_pairs

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
done = function(summary, latency, requests)
  io.write(string.format("FAILURES %%d\\n", failures))
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
        with serving() as base:
            wrk_run(base + "/healthz")  # warm-up
            wrk_run(base + PATH, script)
            trivial = wrk_run(base + "/healthz")
            verify = wrk_run(base + PATH, script)
    finally:
        api_token_revoke(token=issued.token, by=None, now=timezone.now())
    return {
        "server": SERVER_LABEL,
        "trivial_view": trivial,
        "api_verify": verify,
        "ratio": round(verify["requests_per_s"] / trivial["requests_per_s"], 3),
    }
