"""Time the key notice PDF (issue 3: median under 100 ms). A benchmark, not a test.

Renders from unsaved model instances, so it needs no data and writes nothing:
it times the rendering only, with the signature step stubbed out (signing needs a
saved surety and writes the IssuedDocument registry; bench/signing_throughput.py
measures render + sign on real data).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand, CommandParser

from esurety.core.kinds import GuaranteeKind
from esurety.documents import pdf
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Orderer, SuretyCompany


class Command(BaseCommand):
    help = "認証キー等のお知らせPDFの生成時間を計測します（中央値・p95）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100, help="生成回数（既定 100）")

    def handle(self, *args: Any, **options: Any) -> None:
        with mock.patch.object(pdf, "pdf_sign", lambda data, **_: data):
            self._measure(max(1, int(options["count"])))

    def _measure(self, count: int) -> None:
        guarantee = Guarantee(
            number="2070004426",
            kind=GuaranteeKind.ADVANCE,
            work_name="〇〇道路改良工事",
            surety=SuretyCompany(name="西日本建設業保証株式会社"),
            orderer=Orderer(name="徳島市上下水道事業管理者"),
        )
        issued_at = dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC)

        started = time.perf_counter()
        pdf.warm_up()
        pdf.key_notice_pdf(guarantee=guarantee, key="C7QK9MXT4A", issued_at=issued_at)
        first_ms = (time.perf_counter() - started) * 1000

        wall: list[float] = []
        cpu: list[float] = []
        size = 0
        for _ in range(count):
            t0, c0 = time.perf_counter(), time.process_time()
            size = len(pdf.key_notice_pdf(guarantee=guarantee, key="C7QK9MXT4A", issued_at=issued_at))
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        wall.sort()
        p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
        self.stdout.write(
            f"key notice PDF x{count}: median {statistics.median(wall):.1f} ms, p95 {p95:.1f} ms, "
            f"min {wall[0]:.1f} ms, CPU median {statistics.median(cpu):.1f} ms, "
            f"first call (incl. warm-up) {first_ms:.0f} ms, {size:,} bytes"
        )
