"""The staff home's figures on known data, and who may see which of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from esurety.core.kinds import GuaranteeKind
from esurety.dashboards import selectors
from esurety.dashboards.models import ConclusionMonth
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees.models import PremiumStatement
from esurety.parties.models import Role
from tests.dashboards.data import NOW, TODAY, Dashboards, build, refund_in_june
from tests.factories import World, make_surety, make_user

APRIL, MAY, JUNE = dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)


@pytest.fixture
def data(world: World) -> Dashboards:
    d = build(world)
    dashboard_figures_refresh(now=NOW)
    return d


def by_month(rows: list[selectors.MonthConclusions]) -> dict[dt.date, selectors.MonthConclusions]:
    return {r.month: r for r in rows}


def test_the_published_figure_rounds_as_the_sureties_print_it() -> None:
    # 「電子交付率 33.8%（24,839件／73,578件）」 at the end of a September.
    assert selectors.rate_percent(24_839, 73_578) == Decimal("33.8")
    assert selectors.rate_percent(1, 3) == Decimal("33.3")
    assert selectors.rate_percent(2, 3) == Decimal("66.7")
    assert selectors.rate_percent(0, 0) is None


def test_head_office_counts_per_month_by_kind_with_the_electronic_share(data: Dashboards) -> None:
    months = selectors.monthly_conclusions(user=data.head_office, today=TODAY)
    assert len(months) == 24
    assert months[0].month == dt.date(2024, 7, 1) and months[-1].month == JUNE
    rows = by_month(months)
    april, may = rows[APRIL], rows[MAY]
    assert (april.count(GuaranteeKind.ADVANCE), april.electronic, april.paper, april.rate) == (3, 2, 1, Decimal("66.7"))
    # May: 鳴門浜市's paper advance and the performance guarantee (大塚), the 徳島支店 advance.
    assert (may.count(GuaranteeKind.ADVANCE), may.count(GuaranteeKind.PERFORMANCE)) == (2, 1)
    assert (may.eligible, may.electronic, may.rate) == (3, 2, Decimal("66.7"))
    # The guarantee of two years ago is outside the window; no month has anything else.
    assert sum(m.total for m in months) == 6
    fiscal = selectors.fiscal_year_conclusions(months, today=TODAY)
    assert (fiscal.first_month, fiscal.eligible, fiscal.electronic, fiscal.rate) == (APRIL, 6, 4, Decimal("66.7"))


def test_a_branch_user_sees_only_their_branch_whatever_branch_they_ask_for(data: Dashboards) -> None:
    tokushima = selectors.monthly_conclusions(user=data.tokushima_clerk, today=TODAY)
    assert sum(m.total for m in tokushima) == 1 and by_month(tokushima)[MAY].electronic == 1
    asked_for_otsuka = selectors.monthly_conclusions(
        user=data.tokushima_clerk, today=TODAY, branch_id=data.world.branch.pk
    )
    assert [m.by_kind for m in asked_for_otsuka] == [m.by_kind for m in tokushima]
    otsuka = by_month(selectors.monthly_conclusions(user=data.otsuka_clerk, today=TODAY))
    assert (otsuka[APRIL].eligible, otsuka[MAY].eligible) == (3, 2)
    # Orderers and premiums follow the same rule.
    names = [r.name for r in selectors.electronic_rate_by_orderer(user=data.tokushima_clerk, today=TODAY)]
    assert names == [data.world.orderer.name]
    tokushima_premium = sum(m.premium for m in selectors.monthly_premiums(user=data.tokushima_clerk, today=TODAY))
    assert tokushima_premium == PremiumStatement.objects.get(guarantee=data.guarantees["may_tokushima"]).amount


def test_head_office_can_pick_one_branch(data: Dashboards) -> None:
    picked = selectors.monthly_conclusions(user=data.head_office, today=TODAY, branch_id=data.tokushima_branch.pk)
    assert sum(m.total for m in picked) == 1


def test_staff_of_another_surety_and_other_users_see_nothing(data: Dashboards, world: World) -> None:
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    east = make_user("eastadmin", surety=other_surety, role=Role.SURETY_ADMIN)
    for user in (east, world.orderer_user, world.contractor_user):
        assert sum(m.total for m in selectors.monthly_conclusions(user=user, today=TODAY)) == 0
        assert selectors.electronic_rate_by_orderer(user=user, today=TODAY) == []
        assert sum(m.premium for m in selectors.monthly_premiums(user=user, today=TODAY)) == 0


def test_electronic_rate_by_orderer_largest_first(data: Dashboards) -> None:
    rows = selectors.electronic_rate_by_orderer(user=data.head_office, today=TODAY)
    assert [(r.name, r.total, r.electronic, r.paper, r.rate) for r in rows] == [
        (data.world.orderer.name, 5, 4, 1, Decimal("80.0")),
        (data.other_orderer.name, 1, 0, 1, Decimal("0.0")),
    ]
    assert len(selectors.electronic_rate_by_orderer(user=data.head_office, today=TODAY, limit=1)) == 1


def test_premiums_and_refunds_per_month_of_issue(data: Dashboards) -> None:
    refund = refund_in_june(data)
    dashboard_figures_refresh(now=NOW)
    months = {m.month: m for m in selectors.monthly_premiums(user=data.head_office, today=TODAY)}

    def receipts(month: dt.date) -> list[int]:
        return list(
            PremiumStatement.objects.filter(
                statement_type="RECEIPT", issued_on__year=month.year, issued_on__month=month.month
            ).values_list("amount", flat=True)
        )

    assert refund > 0
    assert (months[APRIL].premium, months[APRIL].premium_count) == (sum(receipts(APRIL)), 3)
    assert (months[MAY].premium, months[MAY].premium_count) == (sum(receipts(MAY)), 3)
    assert (months[JUNE].refunds, months[JUNE].refund_count, months[JUNE].premium) == (refund, 1, 0)
    assert months[JUNE].net == -refund
    assert all(m.premium > 0 for m in (months[APRIL], months[MAY]))


def test_refresh_replaces_the_figures_and_is_stable(data: Dashboards) -> None:
    first = sorted(ConclusionMonth.objects.values_list("branch_id", "month", "kind", "delivery_method", "concluded"))
    marker = dashboard_figures_refresh(now=NOW)
    assert (
        sorted(ConclusionMonth.objects.values_list("branch_id", "month", "kind", "delivery_method", "concluded"))
        == first
    )
    assert marker.refreshed_at == NOW and marker.first_month == dt.date(2024, 7, 1)
    assert selectors.figures_refreshed_at() == NOW
    assert not selectors.figures_refresh_due(now=NOW + dt.timedelta(minutes=30), every=dt.timedelta(minutes=55))
    assert selectors.figures_refresh_due(now=NOW + dt.timedelta(hours=1), every=dt.timedelta(minutes=55))


def test_the_worker_tick_keeps_figures_computed_within_the_hour(data: Dashboards, world: World) -> None:
    from tests.dashboards.data import at, concluded_at

    concluded_at(world, at(dt.date(2026, 6, 10)), work_name="六月の追加")
    kept = dashboard_figures_refresh(now=NOW + dt.timedelta(minutes=20), unless_within=dt.timedelta(minutes=55))
    assert kept.refreshed_at == NOW
    assert by_month(selectors.monthly_conclusions(user=data.head_office, today=TODAY))[JUNE].total == 0
    later = dashboard_figures_refresh(now=NOW + dt.timedelta(hours=1), unless_within=dt.timedelta(minutes=55))
    assert later.refreshed_at == NOW + dt.timedelta(hours=1)
    assert by_month(selectors.monthly_conclusions(user=data.head_office, today=TODAY))[JUNE].total == 1


def test_the_workers_hourly_task_recomputes_once_within_the_hour(data: Dashboards, world: World) -> None:
    from django.conf import settings

    from esurety.dashboards.tasks import dashboard_figures
    from tests.dashboards.data import at, concluded_at

    # Booked with the worker's periodic work, hourly.
    assert settings.ESURETY_PERIODIC_TASKS["esurety.dashboards.tasks.dashboard_figures"] == 3600
    concluded_at(world, at(dt.date(2026, 6, 10)), work_name="六月の追加")
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert dashboard_figures.call() is True
        assert by_month(selectors.monthly_conclusions(user=data.head_office, today=TODAY))[JUNE].total == 1
    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=10), tick=False):
        assert dashboard_figures.call() is False  # another worker's run within the hour stands
