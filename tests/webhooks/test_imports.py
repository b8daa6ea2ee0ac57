"""一括取込: each imported guarantee is an `issued` event for the surety's systems, as a single conclusion is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.models import Guarantee, ImportBatch, ImportStatus
from esurety.parties.models import Role, User
from esurety.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import World, make_guarantee, make_surety, make_user
from tests.office.operations import csv_bytes, line
from tests.queue import deliver_webhooks
from tests.webhooks.conftest import Admins, subscribe
from tests.webhooks.receiver import Receiver

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))


def run_import(by: User, content: bytes) -> ImportBatch:
    batch = import_batch_upload(by=by, file_name="import.csv", content=content, now=NOW)
    done = import_batch_process(batch_id=batch.pk, now=NOW)
    assert done is not None
    return done


def three_lines(world: World) -> bytes:
    return csv_bytes(
        [
            line(world),
            line(world, 工事名="△△トンネル工事", 保証契約番号="2070900001"),
            line(world, 工事名="書面の工事", 受取方法="書面"),
        ]
    )


def test_each_imported_guarantee_is_one_issued_event_for_the_surety(
    world: World, admins: Admins, receiver: Receiver
) -> None:
    for_surety = subscribe(admins.surety, receiver.url)
    only_cancellations = subscribe(admins.surety, "https://cancel.example.com/hook", ["cancelled"]).endpoint
    for_orderer = subscribe(admins.orderer, "https://orderer.example.com/hook").endpoint
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    elsewhere = subscribe(make_user("east", surety=other_surety, role=Role.SURETY_ADMIN), "https://east.example.com/h")

    batch = run_import(admins.surety, three_lines(world))
    assert batch.status == ImportStatus.IMPORTED, batch.errors
    imported = {g.number: g for g in Guarantee.objects.select_related("contractor")}
    assert len(imported) == 3

    # The orderer has verified none of them; other endpoints did not ask for these events.
    for endpoint in (only_cancellations, for_orderer, elsewhere.endpoint):
        assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()
    rows = WebhookDelivery.objects.filter(endpoint=for_surety.endpoint)
    assert sorted(d.guarantee.number for d in rows) == sorted(imported)
    assert {(d.event_type, d.created_at) for d in rows} == {("issued", NOW)}

    assert deliver_webhooks() == 3
    assert len({r.json["id"] for r in receiver.requests}) == 3
    for r in receiver.requests:
        assert r.event == "issued" and r.signed_by(for_surety.secret)
        data = r.json["data"]
        g = imported[data["number"]]
        assert (data["kind"], data["version"], data["status"], data["issued_on"]) == (
            "ADVANCE",
            1,
            "ACTIVE",
            "2026-04-15",
        )
        assert (data["work_name"], data["guaranteed_amount"]) == (g.work_name, 40_000_000)
        assert data["electronic"] is (g.work_name != "書面の工事")
        assert data["surety"] == {"name": "西日本建設業保証株式会社"}
        assert data["orderer"] == {"name": "徳島市上下水道事業管理者"}
        assert data["contractor"] == {"name": g.contractor.name}

    # The same payload as a guarantee concluded one at a time.
    make_guarantee(world)
    assert deliver_webhooks() == 1
    single = receiver.requests[-1].json
    assert set(single) == set(receiver.requests[0].json)
    assert set(single["data"]) == set(receiver.requests[0].json["data"])


def test_without_an_endpoint_the_import_writes_no_delivery_and_asks_once(world: World, admins: Admins) -> None:
    subscribe(admins.orderer, "https://orderer.example.com/hook")  # an orderer's endpoint is not the surety's
    batch = import_batch_upload(by=admins.surety, file_name="import.csv", content=three_lines(world), now=NOW)
    with CaptureQueriesContext(connection) as queries:
        done = import_batch_process(batch_id=batch.pk, now=NOW)
    assert done is not None and done.status == ImportStatus.IMPORTED, done and done.errors
    assert Guarantee.objects.count() == 3
    assert not WebhookDelivery.objects.exists()
    endpoint_table = WebhookEndpoint._meta.db_table
    assert len([q for q in queries.captured_queries if endpoint_table in q["sql"]]) == 1


def test_a_failed_import_leaves_no_delivery(world: World, admins: Admins, monkeypatch: pytest.MonkeyPatch) -> None:
    subscribe(admins.surety, "https://surety.example.com/hook")

    def mails_fail(*args: object, **kwargs: object) -> int:
        raise RuntimeError("template missing")

    # The summary mails come after the writes, in the same transaction: everything rolls back.
    monkeypatch.setattr("esurety.guarantees.imports.batches._summary_mails", mails_fail)
    batch = run_import(admins.surety, three_lines(world))
    assert batch.status == ImportStatus.REJECTED
    assert not Guarantee.objects.exists()
    assert not WebhookDelivery.objects.exists()
