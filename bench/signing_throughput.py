"""Issue 6 point 7: how many signed 「認証キー等のお知らせ」 one process issues per second.

Three figures over the same 200 guarantees of the data set, in one process:
render only (WeasyPrint, signing stubbed out), render + sign (key_notice_pdf as
the portal calls it: render, PAdES B-B signature, IssuedDocument row), and
sign only (pdf_sign on already rendered PDFs, registry row included); then
render + sign again in one process per core, as the web and worker processes
share the machine's cores in production. Each is projected to the 40,000
notices of a busy day. The suite signs with the demo CA in a temporary
SIGNING_DIR, so it leaves no keys behind.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import override_settings

from bench.dataset import Dataset, key_for
from bench.suites import suite

NOTICES = 200
DAY = 40_000


def _rate(label: str, count: int, seconds: float, cpu_seconds: float) -> dict[str, Any]:
    per_s = count / seconds
    figures = {
        "notices": count,
        "seconds": round(seconds, 2),
        "ms_per_notice": round(seconds / count * 1000, 1),
        # CPU time of this process: what the figure would be on an idle machine.
        "cpu_ms_per_notice": round(cpu_seconds / count * 1000, 1),
        "notices_per_s": round(per_s, 1),
        "projected_40000_min": round(DAY / per_s / 60, 1),
    }
    print(
        f"   {label}: {figures['notices_per_s']} notices/s ({figures['ms_per_notice']} ms, "
        f"CPU {figures['cpu_ms_per_notice']} ms), 40,000 in {figures['projected_40000_min']} min"
    )
    return figures


def _timed(fn: Callable[[], object], count: int) -> tuple[float, float]:
    """Wall and CPU seconds for count calls."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _issue_notices(chunk: list[Any], now: dt.datetime) -> int:
    """One process's share of the parallel run (forked: it inherits settings, opens its own connection)."""
    from esurety.documents import pdf

    for g in chunk:
        pdf.key_notice_pdf(guarantee=g, key=key_for(g.number), issued_at=now)
    return len(chunk)


def _parallel(guarantees: list[Any], now: dt.datetime, processes: int) -> tuple[float, float]:
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's socket
    chunks = [(guarantees[i::processes], now) for i in range(processes)]
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        issued = sum(pool.starmap(_issue_notices, chunks))
    seconds = time.perf_counter() - t0
    assert issued == len(guarantees)
    return seconds, seconds * processes  # wall; CPU is not measurable across processes, so busy core-seconds


@suite("signing_throughput")
def signing_throughput(data: Dataset) -> dict[str, Any]:
    from esurety.documents import pdf
    from esurety.guarantees.models import Guarantee
    from esurety.signing.models import DocumentKind, IssuedDocument
    from esurety.signing.services import pdf_sign

    guarantees = list(
        Guarantee.objects.filter(contractor_id=data.focus_contractor_id).select_related(
            "surety", "orderer", "contractor"
        )[:NOTICES]
    )
    now = dt.datetime.now(dt.UTC)

    def notice(g: Guarantee) -> bytes:
        return pdf.key_notice_pdf(guarantee=g, key=key_for(g.number), issued_at=now)

    with tempfile.TemporaryDirectory() as directory, override_settings(SIGNING_DIR=Path(directory), SIGNING_DEMO=True):
        first_row = IssuedDocument.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Warm-up: fonts, stylesheets, and the demo key of each surety (minted on first use).
        for g in {g.surety_id: g for g in guarantees}.values():
            notice(g)

        with mock.patch.object(pdf, "pdf_sign", lambda data, **_: data):
            pdf.warm_up()
            unsigned: list[bytes] = []
            todo = iter(guarantees)
            render_s = _timed(lambda: unsigned.append(notice(next(todo))), len(guarantees))

        it = iter(guarantees)
        full_s = _timed(lambda: notice(next(it)), len(guarantees))

        pairs = iter(zip(guarantees, unsigned, strict=True))

        def sign_one() -> None:
            g, rendered = next(pairs)
            pdf_sign(
                rendered,
                surety=g.surety,
                kind=DocumentKind.KEY_NOTICE,
                guarantee=g,
                certificate_version=g.current_version or None,
                now=now,
            )

        sign_s = _timed(sign_one, len(guarantees))
        processes = os.cpu_count() or 1
        parallel_s = _parallel(guarantees, now, processes)
        signed_size = len(notice(guarantees[0]))
        # The suite's rows name a demo certificate that no longer exists: keep the registry clean.
        IssuedDocument.objects.filter(pk__gt=first_row).delete()

    return {
        "what": "one process, PAdES B-B (RSA 2048, SHA-256), invisible signature, IssuedDocument row per notice",
        "unsigned_bytes": len(unsigned[0]),
        "signed_bytes": signed_size,
        "render_only": _rate("render only", len(guarantees), *render_s),
        "render_and_sign": _rate("render + sign (key_notice_pdf)", len(guarantees), *full_s),
        "sign_only": _rate("sign only (pdf_sign)", len(guarantees), *sign_s),
        "render_and_sign_parallel": {
            "processes": processes,
            **_rate(f"render + sign, {processes} processes", len(guarantees), *parallel_s),
        },
    }
