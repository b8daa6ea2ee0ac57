"""Office-hours moments for the demo's history (all Asia/Tokyo, all before DEMO_TODAY)."""

from __future__ import annotations

import datetime as dt
import random

from esurety.core.clock import TOKYO

# The demo's history is fixed (reproducible) and ends here; the queue of open
# applications is dated in the weeks before it.
DEMO_TODAY = dt.date(2026, 11, 20)
HISTORY_ENDS = dt.datetime(2026, 11, 20, 18, 0, tzinfo=TOKYO)
# Two years of history, so the staff home's 24-month charts have a shape.
HISTORY_BEGINS = dt.date(2024, 12, 1)

OPENS = 9
CLOSES = 18


def moment(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TOKYO)


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def at_work(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment during office hours on `day` (or the next weekday)."""
    day = weekday_on_or_after(day)
    return moment(day, rng.randint(OPENS, CLOSES - 2), rng.randrange(0, 60))


def later(after: dt.datetime, rng: random.Random, low_minutes: int, high_minutes: int) -> dt.datetime:
    """Some minutes after `after`; what falls outside office hours moves to the next morning."""
    at = after + dt.timedelta(minutes=rng.randint(low_minutes, high_minutes))
    if at.weekday() < 5 and OPENS <= at.hour < CLOSES:
        return at
    day = at.date() if at.hour < OPENS else at.date() + dt.timedelta(days=1)
    return moment(weekday_on_or_after(day), OPENS, rng.randrange(0, 60))


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return weekday_on_or_after(first + dt.timedelta(days=rng.randint(0, (last - first).days)))


def reiwa_fiscal_year(day: dt.date) -> int:
    """令和N年度 (April to March) of a date."""
    return (day.year if day.month >= 4 else day.year - 1) - 2018
