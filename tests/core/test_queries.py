"""FixedQuery: a queryset compiled once, run with new values, gives what the ORM gives."""

from __future__ import annotations

import pytest

from esurety.core.queries import FixedQuery
from esurety.parties.models import Orderer
from tests.factories import World, make_orderer


def test_runs_with_each_call_s_values_as_the_orm_would(world: World) -> None:
    other = make_orderer("鳴門市長")
    query = FixedQuery(lambda pk, name: Orderer.objects.filter(pk=pk, name=name), pk=-1, name="name-slot")
    assert query.first(pk=world.orderer.pk, name=world.orderer.name) == world.orderer
    assert query.first(pk=other.pk, name=other.name) == other
    assert query.first(pk=other.pk, name=world.orderer.name) is None


def test_a_placeholder_the_orm_transforms_is_refused(world: World) -> None:
    # startswith turns the value into a LIKE pattern: the compiled SQL could not take a new one.
    query = FixedQuery(lambda name: Orderer.objects.filter(name__startswith=name), name="name-slot")
    with pytest.raises(RuntimeError):
        query.first(name="徳島")
