"""A chart and the numbers behind it: the page shows both (「表で見る」) and offers them as CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from esurety.core.clock import TOKYO
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.web.charts import ChartSpec, render_charts
from esurety.web.downloads import csv_response

# How a column is shown on the page (the CSV keeps the plain value).
TEXT, COUNT, YEN, PERCENT, DATE, DATETIME = "text", "count", "yen", "percent", "date", "datetime"
NUM = mark_safe(' class="num"')
NOWRAP = mark_safe(' class="nowrap"')


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    url: str = ""
    nowrap: bool = False  # a date or a moment, read on one line (令和8年12月11日 broke after 月)


def _show(value: object, fmt: str) -> str:
    if value is None or value == "":
        return "—"
    if fmt == COUNT and isinstance(value, int):
        return f"{value:,}"
    if fmt == YEN and isinstance(value, int):
        # The unit is in the column's header (保証金額:円), as in every list of the site.
        return format_yen(value)
    if fmt == PERCENT and isinstance(value, Decimal):
        return f"{value}%"
    if fmt == DATETIME and isinstance(value, dt.datetime):
        return value.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M")
    if fmt == DATE and isinstance(value, dt.date):
        # A business date (保証期間) in 和暦, as the certificate and 受領済み一覧 print it.
        return format_wareki(value, padded=False)
    return str(value)


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


@dataclass(frozen=True)
class Figure:
    key: str  # unique on the page; also the CSV's URL part
    title: str
    headers: Sequence[str]
    formats: Sequence[str]
    rows: Sequence[Sequence[object]]
    chart: SafeString | None = None
    chart_spec: ChartSpec | None = None  # drawn by with_charts, all of a page's charts at once
    note: str = ""
    csv_url: str = ""
    links: Sequence[str] = field(default_factory=tuple)  # a URL per row for its first cell ("" for none)
    table_open: bool = False  # a list to act on is shown open; a chart's table waits behind 「表で見る」

    @property
    def display_rows(self) -> list[list[Cell]]:
        rows = []
        for index, row in enumerate(self.rows):
            cells = [
                Cell(_show(v, f), f in (COUNT, YEN, PERCENT), nowrap=f in (DATE, DATETIME))
                for v, f in zip(row, self.formats, strict=True)
            ]
            if index < len(self.links) and self.links[index]:
                cells[0] = replace(cells[0], url=self.links[index])
            rows.append(cells)
        return rows

    @property
    def table_html(self) -> SafeString:
        """The table's rows as HTML, built here: a template loop over every cell of five tables costs ~100 ms."""
        rows = []
        for row in self.display_rows:
            head, *rest = row
            first = format_html('<a href="{}">{}</a>', head.url, head.text) if head.url else head.text
            cells = format_html_join(
                "", "<td{}>{}</td>", ((NUM if c.numeric else NOWRAP if c.nowrap else "", c.text) for c in rest)
            )
            rows.append(format_html('<tr><th scope="row">{}</th>{}</tr>', first, cells))
        if not rows:
            rows.append(format_html('<tr><td colspan="{}">該当するものはありません。</td></tr>', len(self.headers)))
        return mark_safe("".join(rows))  # noqa: S308 - each row comes from format_html, which escapes

    def csv(self, *, filename: str, fallback: str) -> StreamingHttpResponse:
        """The same rows as the table: UTF-8 with BOM, for Excel (web.downloads)."""
        rows = ([_plain(v) for v in row] for row in self.rows)
        return csv_response(list(self.headers), rows, filename=filename, fallback=fallback)


def with_charts(figures: Sequence[Figure]) -> list[Figure]:
    """The figures with their charts drawn (or taken from the cache in one round trip)."""
    drawn = iter(render_charts([f.chart_spec for f in figures if f.chart_spec is not None]))
    return [replace(f, chart=next(drawn)) if f.chart_spec is not None else f for f in figures]
