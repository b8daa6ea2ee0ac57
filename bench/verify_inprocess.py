"""Issue 12 item 7, in process: what one verification and its baselines cost before any server.

Django's test client drives the whole middleware stack (sessions in Redis as
in production when BENCH_REDIS_URL is set) against the bench data set: the
milliseconds and database queries of /healthz, the signed-in empty form, a
portal verification (POST → 303), the certificate page it leads to, the API's
POST /verifications and the token-authenticated read of one received
certificate. `python bench/profile_request.py NAME` prints a
pyinstrument profile of that request instead (pip install pyinstrument).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.dataset import Dataset, key_for
from bench.suites import suite
from bench.timing import measure
from esurety.verification.models import Receipt, ViewRecord

REPEAT = int(os.environ.get("BENCH_INPROCESS_REPEAT", "300"))
FIRST_MAX = 200  # the bench orderer has some 250 electronic guarantees beyond the 500 samples


def _requests(data: Dataset, secret: str) -> dict[str, Callable[[], Any]]:
    portal = Client(HTTP_HOST="127.0.0.1")
    portal.force_login(data.orderer_user)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    anonymous = Client(HTTP_HOST="127.0.0.1")
    numbers = itertools.cycle(data.sample_numbers)
    received = data.sample_numbers[0]
    fresh = iter(_unreceived_numbers(data))

    def post_form(data: dict[str, str]) -> Any:
        # As the browser sends this form (and wrk does): url-encoded, not the test client's multipart.
        return portal.post("/verify/", urlencode(data), content_type="application/x-www-form-urlencoded")

    def expect(response: Any, status: int) -> None:
        assert response.status_code == status, (response.status_code, response.content[:300])

    def verify() -> None:
        n = next(numbers)
        expect(post_form({"number": n, "key": key_for(n)}), 303)

    def verify_first() -> None:
        n = next(fresh)
        expect(post_form({"number": n, "key": key_for(n)}), 303)

    def api_verify() -> None:
        n = next(numbers)
        body = {"number": n, "key": key_for(n)}
        expect(api.post("/api/v1/verifications", body, content_type="application/json"), 200)

    # Every sample received before timing starts, as in the served suites after their warm-up
    # run: "verify" is a repeat verification, "verify_first" the one that creates the receipt.
    held = set(
        Receipt.objects.filter(orderer_id=data.orderer_user.orderer_id).values_list("guarantee__number", flat=True)
    )
    for n in data.sample_numbers:
        if n not in held:
            expect(post_form({"number": n, "key": key_for(n)}), 303)
    return {
        "healthz": lambda: expect(anonymous.get("/healthz"), 200),
        "verify_form": lambda: expect(portal.get("/verify/"), 200),
        "verify": verify,
        "verify_first": verify_first,
        "certificate_page": lambda: expect(portal.get(f"/verify/certificates/{received}/"), 200),
        "api_verify": api_verify,
        "api_certificate": lambda: expect(api.get(f"/api/v1/certificates/{received}"), 200),
    }


def _unreceived_numbers(data: Dataset) -> list[str]:
    """Electronic guarantees of the bench orderer outside the samples, their receipts of earlier
    runs removed, so that each verification of them is a first one (receipt, audit entry)."""
    from esurety.core.kinds import DeliveryMethod
    from esurety.guarantees.models import Guarantee

    orderer_id = data.orderer_user.orderer_id
    numbers = list(
        Guarantee.objects.filter(orderer_id=orderer_id, delivery_method=DeliveryMethod.ELECTRONIC)
        .exclude(number__in=data.sample_numbers)
        .order_by("number")
        .values_list("number", flat=True)[: REPEAT + 10]
    )
    receipts = Receipt.objects.filter(orderer_id=orderer_id, guarantee__number__in=numbers)
    ViewRecord.objects.filter(receipt__in=receipts).delete()
    receipts.delete()
    return numbers


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _with_token(data: Dataset, run: Callable[[str], Any]) -> Any:
    from django.utils import timezone

    from esurety.integrations.services import api_token_create, api_token_revoke

    orderer = data.orderer_user.orderer
    assert orderer is not None
    issued = api_token_create(by=None, orderer=orderer, name="ベンチマーク（プロセス内）", now=timezone.now())
    try:
        return run(issued.secret)
    finally:
        api_token_revoke(token=issued.token, by=None, now=timezone.now())


@suite("verify_inprocess")
def verify_inprocess(data: Dataset) -> dict[str, Any]:
    def run(secret: str) -> dict[str, Any]:
        requests = _requests(data, secret)
        out: dict[str, Any] = {}
        for name, fn in requests.items():
            for _ in range(3):
                fn()
            repeat = REPEAT if name != "verify_first" else min(REPEAT, FIRST_MAX)
            cpu = time.process_time()
            timed = measure(fn, repeat=repeat, warmup=0)
            # This process's CPU per request: steadier than wall time on a shared machine
            # (the database's and Redis's own CPU is not in it).
            cpu_ms = round((time.process_time() - cpu) / repeat * 1000, 2)
            out[name] = {"queries": _queries(fn), "cpu_ms": cpu_ms, **timed}
        return out

    return {"repeat": REPEAT, "requests": _with_token(data, run)}


def profile(name: str) -> None:
    """Print a profile of REPEAT requests of one kind (bench/profile_request.py): pyinstrument's tree, or
    cProfile's flat list by own time with PROFILER=cprofile, its SQL with PROFILER=queries."""
    from bench.dataset import load

    def run(secret: str) -> None:
        fn = _requests(load(), secret)[name]
        for _ in range(20):
            fn()
        if os.environ.get("PROFILER") == "queries":
            with CaptureQueriesContext(connection) as captured:
                fn()
            for q in captured.captured_queries:
                print(f"{q['time']:>6} {q['sql'][:400]}")
            return
        if os.environ.get("PROFILER") == "cprofile":
            import cProfile
            import pstats

            with cProfile.Profile() as cp:
                for _ in range(REPEAT):
                    fn()
            pstats.Stats(cp).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(45)
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        with profiler:
            for _ in range(REPEAT):
                fn()
        print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))

    _with_token(load(), run)
