"""Issue 3: the contractor's 保証工事一覧 with 20,000 guarantees among 1,000,000; notice PDF."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.test import Client

from bench.dataset import Dataset, key_for
from bench.suites import suite
from bench.timing import measure


@suite("contractor_list")
def contractor_list(data: Dataset) -> dict[str, object]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(data.focus_user)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    last_page = 20_000 // 20
    return {
        "list_first_page": measure(lambda: get("/contractor/"), repeat=100),
        "search_work_name_3chars": measure(lambda: get("/contractor/?mode=work_name&q=トンネル"), repeat=100),
        "search_work_name_2chars": measure(lambda: get("/contractor/?mode=work_name&q=橋梁"), repeat=100),
        # Half-width カナ, folded to トンネル before the trigram index is asked.
        "search_work_name_halfwidth": measure(lambda: get("/contractor/?mode=work_name&q=ﾄﾝﾈﾙ"), repeat=100),
        "search_all_modes": measure(lambda: get("/contractor/?mode=all&q=浄水場"), repeat=100),
        "page_far_down": measure(lambda: get(f"/contractor/?page={last_page - 3}"), repeat=100),
    }


@suite("key_notice_pdf")
def key_notice_pdf(data: Dataset) -> dict[str, object]:
    from esurety.documents.pdf import key_notice_pdf as render
    from esurety.guarantees.models import Guarantee

    guarantees = list(
        Guarantee.objects.filter(contractor_id=data.focus_contractor_id).select_related(
            "surety", "orderer", "contractor"
        )[:60]
    )
    now = dt.datetime.now(dt.UTC)
    for g in guarantees[:5]:
        render(guarantee=g, key=key_for(g.number), issued_at=now)
    samples = []
    for g in guarantees:
        t0 = time.perf_counter()
        render(guarantee=g, key=key_for(g.number), issued_at=now)
        samples.append((time.perf_counter() - t0) * 1000)
    return {"n": len(samples), "median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}
