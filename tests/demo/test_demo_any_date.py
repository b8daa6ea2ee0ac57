"""`make demo` on any day: its history is dated back from the day it runs, so what it leaves open on
that day must still be valid by the rules, also after the leaflet's works were to end (2027-03-31):
the seed contractor's 中間前払金 application rests on its 〇〇道路改良工事 advance, which the worker
expires (満了) once its 工事末日 is past, and an interim advance needs an advance in force."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import override_settings

from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import Withdrawal
from esurety.core.clock import TOKYO
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee, GuaranteeStatus

# `make demo` builds its database on SQLite only: the SQLite suite is where its days are tried.
pytestmark = pytest.mark.sqlite_only

# The demo's modules that read the day at import (calendar.py), or import what it read, in import order.
DEMO_MODULES = ("reference", "calendar", "parties", "plans", "timeline", "advance_story", "claims", "seed")
OPEN = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
    ApplicationStatus.PAYMENT_CONFIRMED,
)


def _reload_demo() -> None:
    for name in DEMO_MODULES:
        importlib.reload(importlib.import_module(f"esurety.demo.{name}"))


def _restore_demo(saved: dict[str, dict[str, object]]) -> None:
    """Puts back the very objects the other tests imported (a reload makes new classes: SeedError…)."""
    for name, contents in saved.items():
        module = importlib.import_module(f"esurety.demo.{name}")
        module.__dict__.clear()
        module.__dict__.update(contents)


@pytest.fixture
def demo_on(db: None) -> Iterator[Callable[[dt.datetime], None]]:
    """Builds the demo as `make demo` would at the given moment, and leaves the clock there."""
    travels: list[time_machine.travel] = []
    saved = {name: dict(importlib.import_module(f"esurety.demo.{name}").__dict__) for name in DEMO_MODULES}

    def run(at: dt.datetime) -> None:
        travel = time_machine.travel(at, tick=False)
        travel.start()
        travels.append(travel)
        _reload_demo()
        from esurety.demo import seed

        with override_settings(DEMO_MODE=True):
            seed.demo_seed()

    try:
        yield run
    finally:
        for travel in travels:
            travel.stop()
        _restore_demo(saved)  # back to today's demo for the other tests


@pytest.mark.parametrize("day", [dt.date(2027, 4, 5), dt.date(2028, 1, 17)])
def test_what_the_demo_leaves_open_today_is_valid_after_the_leaflets_works_were_to_end(
    demo_on: Callable[[dt.datetime], None], day: dt.date
) -> None:
    at = dt.datetime(day.year, day.month, day.day, 10, 30, tzinfo=TOKYO)
    demo_on(at)
    # The worker's hourly expiry has run on the demo's today.
    services.guarantees_expire_due(today=day, now=at)

    road = Guarantee.objects.get(number="2070004426")
    assert road.status == GuaranteeStatus.ACTIVE
    assert road.completion_date == road.period_end > day
    assert road.certificates.count() == 1  # a 工期 change issues no certificate (leaflet note 2)
    interim = Application.objects.get(kind=GuaranteeKind.INTERIM_ADVANCE, advance_guarantee=road)
    assert interim.status == ApplicationStatus.SUBMITTED
    assert interim.completion_date == road.completion_date
    # Every application open on the demo's today can go on: nothing a rule would refuse.
    for app in Application.objects.filter(status__in=OPEN).select_related("advance_guarantee", "orderer"):
        assert services.application_check(app) == [], (app.work_name, app.get_status_display())
    waiting = Withdrawal.objects.get(account__guarantee=road, status=WithdrawalStatus.REQUESTED)
    assert waiting.desired_on == day
