"""Months and 年度 as the dashboards count them (Tokyo calendar; 年度 runs April to March)."""

from __future__ import annotations

import datetime as dt

from esurety.core.clock import TOKYO

# The staff home charts 24 months; the figures are kept for exactly those.
MONTHS_KEPT = 24
# 電子交付率 by orderer looks at the last 12 months: recent enough to show who still takes paper.
ORDERER_MONTHS = 12


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + n
    return dt.date(index // 12, index % 12 + 1, 1)


def last_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with today's, oldest first."""
    current = month_start(today)
    return [add_months(current, -i) for i in range(count - 1, -1, -1)]


def fiscal_year_start(today: dt.date) -> dt.date:
    return dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


def tokyo_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TOKYO)


def month_label(month: dt.date) -> str:
    return f"{month.year}/{month.month:02d}"
