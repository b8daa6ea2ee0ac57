"""Issue 15: the staff home (業務システム → ホーム) at 1,000,000 guarantees; target p95 < 300 ms.

The monthly figures are precomputed (dashboards.services, hourly in the worker):
the suite times that refresh, the page for a head office (all branches and one
branch) and for a branch user, and, for comparison, the same figures counted
straight from the guarantees and premium statements.
"""

from __future__ import annotations

import statistics
import time

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.test import Client

from bench.dataset import Dataset
from bench.suites import suite
from bench.timing import measure


def _client(user: object) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _ok(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


def _median_ms(fn: object, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(samples), 1)


@suite("dashboard")
def dashboard(data: Dataset) -> dict[str, object]:
    from esurety.core.clock import TOKYO, business_date, now
    from esurety.dashboards.models import ConclusionMonth, OrdererMonth
    from esurety.dashboards.periods import last_months, tokyo_midnight
    from esurety.dashboards.services import dashboard_figures_refresh
    from esurety.guarantees.models import Guarantee, PremiumStatement

    t0 = time.perf_counter()
    marker = dashboard_figures_refresh(now=now())
    refresh_s = round(time.perf_counter() - t0, 2)

    head = _client(data.head_office_user)
    branch = _client(data.branch_user)
    branch_id = data.branch_user.branch_id
    surety_id = data.head_office_user.surety_id
    first = last_months(business_date(), 24)[0]

    def live_conclusions() -> None:
        list(
            Guarantee.objects.filter(surety_id=surety_id, concluded_at__gte=tokyo_midnight(first))
            .annotate(m=TruncMonth("concluded_at", tzinfo=TOKYO))
            .values_list("m", "kind", "delivery_method")
            .annotate(n=Count("id"))
            .order_by()
        )

    def live_premiums() -> None:
        list(
            PremiumStatement.objects.filter(guarantee__surety_id=surety_id, issued_on__gte=first)
            .annotate(m=TruncMonth("issued_on"))
            .values_list("m", "statement_type")
            .annotate(total=Sum("amount"))
            .order_by()
        )

    return {
        "refresh_seconds": refresh_s,
        "refresh_ms_recorded": marker.took_ms,
        "figure_rows": {
            "conclusion_months": ConclusionMonth.objects.count(),
            "orderer_months": OrdererMonth.objects.count(),
        },
        "staff_home_head_office": measure(lambda: _ok(head, "/office/home/"), repeat=100),
        "staff_home_head_office_one_branch": measure(
            lambda: _ok(head, f"/office/home/?branch={branch_id}"), repeat=100
        ),
        "staff_home_branch_user": measure(lambda: _ok(branch, "/office/home/"), repeat=100),
        "staff_csv_conclusions": measure(lambda: _ok(head, "/office/home/conclusions.csv"), repeat=30),
        "live_query_head_office_ms": {
            "conclusions_by_month_kind_delivery": _median_ms(live_conclusions),
            "premiums_by_month": _median_ms(live_premiums),
        },
    }
