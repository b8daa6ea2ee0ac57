"""FixedQuery and FixedInsert: a query compiled once, run with new values, does what the ORM does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from esurety.core.clock import TOKYO
from esurety.core.queries import FixedInsert, FixedQuery
from esurety.parties.models import Orderer
from esurety.verification.models import Receipt, ViewRecord
from tests.factories import World, make_guarantee, make_orderer
from tests.office.lifecycle import receive


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


def _receipt(world: World) -> Receipt:
    g = make_guarantee(world)
    receive(world, g)
    return Receipt.objects.get(guarantee=g, orderer=world.orderer)


def test_an_insert_stores_the_row_as_the_orm_would(world: World) -> None:
    receipt = _receipt(world)
    insert = FixedInsert(ViewRecord, "receipt_id", "user_id", "at", "version", "kind", "client_ip")
    at = dt.datetime(2026, 12, 7, 14, 0, 5, 123456, tzinfo=TOKYO)
    for address in ("203.0.113.9", None):
        insert(receipt_id=receipt.pk, user_id=world.orderer_user.pk, at=at, version=1, kind="VIEW", client_ip=address)
    rows = ViewRecord.objects.filter(receipt=receipt, kind="VIEW").order_by("pk")
    assert [(r.user_id, r.at, r.version, r.client_ip) for r in rows] == [
        (world.orderer_user.pk, at, 1, "203.0.113.9"),
        (world.orderer_user.pk, at, 1, None),
    ]


def test_an_insert_asks_for_every_column_and_no_other(world: World) -> None:
    insert = FixedInsert(ViewRecord, "receipt_id", "user_id", "at", "version", "kind", "client_ip")
    with pytest.raises(TypeError):
        insert(receipt_id=1, user_id=1, at=dt.datetime.now(tz=TOKYO), version=1, kind="VIEW")
    assert not ViewRecord.objects.exists()


def test_a_failed_insert_inside_a_transaction_rolls_the_whole_transaction_back(world: World) -> None:
    receipt = _receipt(world)
    insert = FixedInsert(ViewRecord, "receipt_id", "user_id", "at", "version", "kind", "client_ip")
    before = ViewRecord.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(
            receipt_id=receipt.pk,
            user_id=world.orderer_user.pk,
            at=dt.datetime.now(tz=TOKYO),
            version=1,
            kind="VIEW",
            client_ip=None,
        )
        try:
            insert(
                receipt_id=receipt.pk,
                user_id=None,
                at=dt.datetime.now(tz=TOKYO),
                version=1,
                kind="VIEW",
                client_ip=None,
            )
        except IntegrityError:
            # As after a failed Model.save(): the block is marked, nothing of it commits.
            assert transaction.get_rollback()
            raise
    assert ViewRecord.objects.count() == before
