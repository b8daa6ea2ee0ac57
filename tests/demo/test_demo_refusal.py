"""demo_seed writes nothing unless it is allowed to, and nothing at all when it fails."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from esurety.demo import seed
from esurety.demo.calendar import later, moment
from esurety.demo.plans import SeedError
from esurety.parties.models import SuretyCompany, User


@override_settings(DEMO_MODE=False)
def test_refuses_outside_demo_mode(db: None) -> None:
    with pytest.raises(CommandError, match="ESURETY_DEMO=1"):
        call_command("demo_seed", stdout=StringIO())
    # Not a single demo account or organisation was written.
    assert not User.objects.exists()
    assert not SuretyCompany.objects.exists()


@override_settings(DEMO_MODE=True)
def test_a_failure_half_way_leaves_the_database_empty(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_queue(*args: object, **kwargs: object) -> list[object]:
        raise SeedError("planned failure")

    monkeypatch.setattr(seed, "plan_queue", broken_queue)
    with pytest.raises(CommandError, match="何も書き込んでいません"):
        call_command("demo_seed", stdout=StringIO())
    assert not User.objects.exists()
    assert not SuretyCompany.objects.exists()


def test_the_calendar_keeps_to_office_hours() -> None:
    rng = random.Random(1)
    at = moment(dt.date(2026, 11, 20), 17, 50)  # a Friday evening
    for _ in range(200):
        nxt = later(at, rng, 5, 600)
        assert nxt > at
        assert nxt.weekday() < 5 and 9 <= nxt.hour < 18
        at = nxt
