"""「【先頭】 ◀ 前 N件中 a - b件 次 ▶ 最後 ▶」 for the office lists, keeping the filters in every link."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page


@dataclass(frozen=True)
class PageLinks:
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
