"""Recompute the staff home's monthly figures (run hourly by the worker, or `manage.py dashboards_refresh`).

The figures are derived data: no audit entry (nothing a person changed), and
the whole window is recomputed each time, because a bulk import or a late
premium statement can add to a month long past.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from esurety.core.clock import TOKYO, business_date
from esurety.core.kinds import ELECTRONIC_KINDS, DeliveryMethod
from esurety.dashboards.models import ConclusionMonth, FigureRefresh, OrdererMonth
from esurety.dashboards.periods import MONTHS_KEPT, ORDERER_MONTHS, last_months, tokyo_midnight
from esurety.guarantees.models import Guarantee, PremiumStatement, StatementType

Key = tuple[int, int, dt.date, str, str]


def _as_month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(TOKYO).date().replace(day=1)
    return value.replace(day=1)


def _conclusion_rows(first: dt.date) -> list[ConclusionMonth]:
    rows: dict[Key, ConclusionMonth] = {}

    def row(key: Key) -> ConclusionMonth:
        if key not in rows:
            surety_id, branch_id, month, kind, delivery = key
            rows[key] = ConclusionMonth(
                surety_id=surety_id, branch_id=branch_id, month=month, kind=kind, delivery_method=delivery
            )
        return rows[key]

    concluded = (
        Guarantee.objects.filter(concluded_at__gte=tokyo_midnight(first))
        .annotate(m=TruncMonth("concluded_at", tzinfo=TOKYO))
        .values_list("surety_id", "branch_id", "m", "kind", "delivery_method")
        .annotate(n=Count("id"))
        .order_by()
    )
    for surety_id, branch_id, month, kind, delivery, n in concluded:
        row((surety_id, branch_id, _as_month(month), kind, delivery)).concluded += n
    statements = (
        PremiumStatement.objects.filter(issued_on__gte=first)
        .annotate(m=TruncMonth("issued_on"))
        .values_list(
            "guarantee__surety_id",
            "guarantee__branch_id",
            "m",
            "guarantee__kind",
            "guarantee__delivery_method",
            "statement_type",
        )
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    for surety_id, branch_id, month, kind, delivery, statement_type, total, n in statements:
        r = row((surety_id, branch_id, _as_month(month), kind, delivery))
        if statement_type == StatementType.REFUND:
            r.refunds += total or 0
            r.refund_count += n
        else:
            r.premium += total or 0
            r.premium_count += n
    return list(rows.values())


def _orderer_rows(first: dt.date) -> list[OrdererMonth]:
    rows: dict[tuple[int, int, int, dt.date], OrdererMonth] = {}
    counts = (
        Guarantee.objects.filter(concluded_at__gte=tokyo_midnight(first), kind__in=ELECTRONIC_KINDS)
        .annotate(m=TruncMonth("concluded_at", tzinfo=TOKYO))
        .values_list("surety_id", "branch_id", "orderer_id", "m")
        .annotate(
            electronic=Count("id", filter=Q(delivery_method=DeliveryMethod.ELECTRONIC)),
            paper=Count("id", filter=~Q(delivery_method=DeliveryMethod.ELECTRONIC)),
        )
        .order_by()
    )
    for surety_id, branch_id, orderer_id, month, electronic, paper in counts:
        key = (surety_id, branch_id, orderer_id, _as_month(month))
        r = rows.setdefault(
            key, OrdererMonth(surety_id=surety_id, branch_id=branch_id, orderer_id=orderer_id, month=key[3])
        )
        r.electronic += electronic
        r.paper += paper
    return list(rows.values())


@transaction.atomic
def dashboard_figures_refresh(*, now: dt.datetime, unless_within: dt.timedelta | None = None) -> FigureRefresh:
    """Replace the monthly figures with those of the last MONTHS_KEPT months, as of `now`.

    With `unless_within`, figures computed that recently are kept (the worker's hourly tick:
    of several workers, the first recomputes and the others find the work done).
    """
    started = time.monotonic()
    FigureRefresh.objects.get_or_create(pk=1)
    # Two workers refreshing at once would each delete, then both insert: duplicates.
    # The lock on the single row makes the second wait, then see the first one's time.
    marker = FigureRefresh.objects.select_for_update().get(pk=1)
    if unless_within is not None and marker.refreshed_at is not None and now - marker.refreshed_at < unless_within:
        return marker
    today = business_date(now)
    months = last_months(today, MONTHS_KEPT)
    conclusions = _conclusion_rows(months[0])
    orderers = _orderer_rows(months[-ORDERER_MONTHS])
    ConclusionMonth.objects.all().delete()
    OrdererMonth.objects.all().delete()
    ConclusionMonth.objects.bulk_create(conclusions, batch_size=2000)
    OrdererMonth.objects.bulk_create(orderers, batch_size=2000)
    marker.refreshed_at = now
    marker.first_month = months[0]
    marker.took_ms = int((time.monotonic() - started) * 1000)
    marker.save()
    return marker
