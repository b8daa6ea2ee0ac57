"""A chart and the numbers behind it: the page shows both (「表で見る」) and offers them as CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.safestring import SafeString

from esurety.core.money import format_yen
from esurety.web.downloads import csv_response

# How a column is shown on the page (the CSV keeps the plain value).
TEXT, COUNT, YEN, PERCENT, DATE, DATETIME = "text", "count", "yen", "percent", "date", "datetime"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    url: str = ""


def _show(value: object, fmt: str) -> str:
    if value is None or value == "":
        return "—"
    if fmt == COUNT and isinstance(value, int):
        return f"{value:,}"
    if fmt == YEN and isinstance(value, int):
        return f"{format_yen(value)}円"
    if fmt == PERCENT and isinstance(value, Decimal):
        return f"{value}%"
    if fmt == DATETIME and isinstance(value, dt.datetime):
        return value.strftime("%Y/%m/%d %H:%M")
    if fmt == DATE and isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    return str(value)


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
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
    note: str = ""
    csv_url: str = ""
    links: Sequence[str] = field(default_factory=tuple)  # a URL per row for its first cell ("" for none)
    table_open: bool = False  # a list to act on is shown open; a chart's table waits behind 「表で見る」

    @property
    def display_rows(self) -> list[list[Cell]]:
        rows = []
        for index, row in enumerate(self.rows):
            cells = [Cell(_show(v, f), f in (COUNT, YEN, PERCENT)) for v, f in zip(row, self.formats, strict=True)]
            if index < len(self.links) and self.links[index]:
                cells[0] = Cell(cells[0].text, cells[0].numeric, self.links[index])
            rows.append(cells)
        return rows

    def csv(self, *, filename: str, fallback: str) -> StreamingHttpResponse:
        """The same rows as the table: UTF-8 with BOM, for Excel (web.downloads)."""
        rows = ([_plain(v) for v in row] for row in self.rows)
        return csv_response(list(self.headers), rows, filename=filename, fallback=fallback)
