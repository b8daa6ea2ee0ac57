"""Japanese era (和暦) dates, from our own era table.

Certificates print dates the way the seed does, 「令和 4年 5月 10日」: a
space before each number, whatever its width. The first year of an era is
written 元年.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from esurety.core.dates import LAST_BUSINESS_DAY


class Era(NamedTuple):
    name: str
    starts: dt.date


# Newest first. Start dates are the first day of each era.
ERAS: tuple[Era, ...] = (
    Era("令和", dt.date(2019, 5, 1)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("明治", dt.date(1868, 10, 23)),
)


def era_of(day: dt.date) -> tuple[str, int]:
    """Return (era name, year within the era) for a Gregorian date."""
    for era in ERAS:
        if day >= era.starts:
            return era.name, day.year - era.starts.year + 1
    raise ValueError(f"{day.isoformat()} is before the supported era table")


def format_wareki(day: dt.date | None, *, padded: bool = True) -> str:
    """2026-04-01 -> '令和 8年 4月 1日' (padded, as the seed prints) or '令和8年4月1日'.

    2022-05-10 -> '令和 4年 5月 10日', exactly as the seed's certificate prints it.
    Never raises: a date outside the era table or the business range (core.dates) is
    printed as a western date, 「1800年1月1日」.
    """
    if day is None:
        return ""
    if day < ERAS[-1].starts or day > LAST_BUSINESS_DAY:
        # Only old data can hold such a date (every form, the import and the API refuse it
        # now): print it in the western calendar, so that its page still opens and 9999-12-31
        # does not read as 「令和7981年」.
        if padded:
            return f"{day.year}年 {day.month}月 {day.day}日"
        return f"{day.year}年{day.month}月{day.day}日"
    name, year = era_of(day)
    year_text = "元" if year == 1 else str(year)
    if padded:
        return f"{name} {year_text}年 {day.month}月 {day.day}日"
    return f"{name}{year_text}年{day.month}月{day.day}日"
