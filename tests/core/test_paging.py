"""The capped deferred-join paginator: counts no further than its cap, pages in the list's order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from esurety.core.paging import CappedDeferredJoinPaginator
from esurety.parties.models import Contractor

pytestmark = pytest.mark.django_db


def contractors(n: int) -> None:
    Contractor.objects.bulk_create(
        [Contractor(name=f"株式会社{i:03d}建設", address="東京都", representative_name="代表") for i in range(n)]
    )


def test_past_the_cap_the_count_stops_and_pages_keep_the_order() -> None:
    contractors(12)
    qs = Contractor.objects.order_by("-name", "-pk")
    paginator = CappedDeferredJoinPaginator(qs, 5, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.capped, paginator.num_pages) == (10, True, 2)
    assert "LIMIT 11" in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    names = [c.name for c in paginator.page(2).object_list]
    assert names == [f"株式会社{i:03d}建設" for i in range(6, 1, -1)]


def test_under_the_cap_it_counts_exactly() -> None:
    contractors(7)
    paginator = CappedDeferredJoinPaginator(Contractor.objects.order_by("pk"), 5, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 2)
    assert len(paginator.page(2).object_list) == 2
