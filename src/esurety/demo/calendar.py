"""Office-hours moments for the demo's history (all Asia/Tokyo, none after the moment the seed runs)."""

from __future__ import annotations

import datetime as dt
import random

from esurety.core.clock import TOKYO, business_date, now

OPENS = 9
CLOSES = 18


def _last_office_moment(at: dt.datetime) -> dt.datetime:
    """The latest office-hours minute at or before `at` (Tokyo): the story never runs ahead of the clock."""
    local = at.astimezone(TOKYO).replace(second=0, microsecond=0)
    if local.weekday() < 5 and OPENS <= local.hour < CLOSES:
        return local
    day = local.date()
    if local.weekday() >= 5 or local.hour < OPENS:
        day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, CLOSES, 0, tzinfo=TOKYO)


# The demo's "today" is the day `make demo` runs. The generated history (the other
# contractors' works, the back office's queue, the seed contractor's open
# applications) is dated back from it, so the home pages' current month, 年度 and
# "today" figures show work; with a fixed end date they went blank once the real
# calendar moved past it (the dashboards count by the real clock, as they must).
# The leaflet's own story keeps its printed dates (令和8年4月) and numbers.
# The random choices are the same every time (a fixed seed); the dates follow the clock.
DEMO_TODAY = business_date(now())
HISTORY_ENDS = _last_office_moment(now())
# Two years of history, so the staff home's 24-month charts have a shape.
HISTORY_BEGINS = (DEMO_TODAY.replace(day=1) - dt.timedelta(days=700)).replace(day=1)
# The last works of the history are contracted a few weeks before today, so some of them
# are concluded, handed over and verified this month.
LAST_CONTRACT = DEMO_TODAY - dt.timedelta(days=12)


def moment(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TOKYO)


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def weekdays_before(day: dt.date, n: int) -> dt.date:
    """The n-th weekday before `day`."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
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
