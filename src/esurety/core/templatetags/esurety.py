from __future__ import annotations

import datetime as dt

from django import template

from esurety.core.clock import business_date
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
def slashdate(value: dt.date | None) -> str:
    """2026/04/17, as the seed's 保証工事一覧 prints 証書発行日."""
    return value.strftime("%Y/%m/%d") if value else ""
