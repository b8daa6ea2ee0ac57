from __future__ import annotations

import datetime as dt

from django import template

from esurety.core.clock import TOKYO, business_date
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki

register = template.Library()


@register.filter
def yen(value: int | None) -> str:
    return format_yen(value)


def _day(value: dt.date | None) -> dt.date | None:
    # A timestamp shows the Tokyo business date it fell on, not its UTC date.
    return business_date(value) if isinstance(value, dt.datetime) else value


@register.filter
def wareki(value: dt.date | None) -> str:
    return format_wareki(_day(value))


@register.filter
def wareki_short(value: dt.date | None) -> str:
    return format_wareki(_day(value), padded=False)


@register.filter
def iso_datetime(value: dt.datetime | None) -> str:
    """2026-12-07T11:49:13+09:00 for <time datetime>: Tokyo time to the second.

    Django's |date:"c" keeps microseconds (…13.612272+09:00), which HTML's valid
    date-time string does not allow (at most three fraction digits).
    """
    return value.astimezone(TOKYO).isoformat(timespec="seconds") if value else ""


@register.filter
def slashdate(value: dt.date | None) -> str:
    """2026/04/17, as the seed's 保証工事一覧 prints 証書発行日."""
    return value.strftime("%Y/%m/%d") if value else ""
