"""What the staff and orderer figures share: percentages as the sureties publish them, when the
monthly tables were refreshed, and the office's scope plus the branch a head office picked."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from esurety.dashboards.models import FigureRefresh
from esurety.guarantees.selectors import staff_scope
from esurety.parties.models import User

PERCENT = Decimal("0.1")


def rate_percent(part: int, whole: int) -> Decimal | None:
    """33.8 for 24,839 of 73,578: a share in percent to one decimal, as the sureties publish it."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def figures_refreshed_at() -> dt.datetime | None:
    """When the monthly figures were last computed (None: not yet)."""
    return FigureRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def figures_refresh_due(*, now: dt.datetime, every: dt.timedelta) -> bool:
    last = figures_refreshed_at()
    return last is None or now - last >= every


def figure_scope(user: User, branch_id: int | None) -> Q | None:
    """The office pages' rule, plus the branch a head office picked (a branch user's pick changes nothing)."""
    scope = staff_scope(user)
    if scope is None:
        return None
    if branch_id is not None and user.branch_id is None:
        scope &= Q(branch_id=branch_id)
    return scope
