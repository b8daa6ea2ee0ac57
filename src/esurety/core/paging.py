"""Pagination that stays fast on the last page of 20,000 rows among millions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class DeferredJoinPaginator(Paginator):  # type: ignore[type-arg]
    """Reads a page's primary keys first, then only those rows.

    OFFSET over full rows makes PostgreSQL visit every skipped row in the
    table; OFFSET over keys is answered from a covering index (see the
    guarantee_contractor_list index) and the second query reads 20 rows.
    The queryset must be ordered; the page keeps that order.
    """

    object_list: QuerySet[Any]

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # Never past the count: a capped count's last page ends at the cap (validate_number counted).
        top = min(bottom + self.per_page, self.count)
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = list(self.object_list.filter(pk__in=keys)) if keys else []
        return Page(rows, number, self)


class CappedDeferredJoinPaginator(DeferredJoinPaginator):
    """A DeferredJoinPaginator that counts no further than ``cap`` + 1 rows.

    Counting every row of a list of a million (a bank's withdrawal requests) is an index scan
    over all of them: a few hundred milliseconds per page. Past the cap the list says
    「{cap}件以上」 and pages through the first ``cap`` rows; the filters narrow it down (the
    same rule as the back office's lists, office.views.lifecycle_common.CappedPaginator).
    """

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int = 10_000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def total(self) -> int:
        # Without ORDER BY the LIMIT stops the index scan early instead of sorting every row first.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.total, self.cap)

    @property
    def capped(self) -> bool:
        return self.total > self.cap


@dataclass(frozen=True)
class PageLinks:
    """「【先頭】 ◀ 前 N件中 a - b件 次 ▶ 最後 ▶」 (the seed's pager), the search kept in every link."""

    count: int
    start: int
    end: int
    first_url: str | None
    previous_url: str | None
    next_url: str | None
    last_url: str | None


def page_links(page: Page[Any], base_query: Mapping[str, object]) -> PageLinks:
    def url(number: int) -> str:
        return "?" + urlencode({**{k: v for k, v in base_query.items() if v not in ("", None)}, "page": number})

    paginator = page.paginator
    return PageLinks(
        count=paginator.count,
        start=page.start_index(),
        end=page.end_index(),
        first_url=None if page.number == 1 else url(1),
        previous_url=url(page.previous_page_number()) if page.has_previous() else None,
        next_url=url(page.next_page_number()) if page.has_next() else None,
        last_url=None if page.number == paginator.num_pages else url(paginator.num_pages),
    )
