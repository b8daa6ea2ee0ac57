"""A verification writes its receipt, the receipt's audit entry, its webhook rows and the view
record in one transaction: a failure of any of them leaves none of them behind."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role
from esurety.verification import services
from esurety.verification.models import Receipt, ViewKind, ViewRecord
from esurety.verification.services import receipts
from esurety.webhooks.models import WebhookDelivery
from esurety.webhooks.services import webhook_endpoint_create
from tests.factories import World, amend_amount, make_guarantee, make_orderer, make_user


class Boom(Exception):
    pass


@pytest.fixture
def issued(world: World) -> tuple[Guarantee, str]:
    g = make_guarantee(world)
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    return g, key


def verify(world: World, g: Guarantee, key: str) -> Receipt:
    return services.certificate_verify(
        user=world.orderer_user, number=g.number, key=key, client_ip="192.0.2.10", now=timezone.now()
    )


def test_a_failing_view_record_leaves_no_receipt_no_audit_entry_and_no_webhook(
    world: World, issued: tuple[Guarantee, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    g, key = issued
    admin = make_user("suretyadmin", surety=world.surety, role=Role.SURETY_ADMIN)
    webhook_endpoint_create(
        owner=world.surety, by=admin, url="https://surety.example.jp/hook", events=["viewed"], now=timezone.now()
    )

    def fail(*args: object, **kwargs: object) -> None:
        raise Boom

    monkeypatch.setattr(receipts, "_VIEW_RECORD", fail)  # the view record's INSERT
    with pytest.raises(Boom):
        verify(world, g, key)
    assert not Receipt.objects.exists()
    assert not AuditEntry.objects.filter(action="certificate.receive").exists()
    assert not WebhookDelivery.objects.exists()

    monkeypatch.undo()
    receipt = verify(world, g, key)  # nothing half-written stands in the way of the next try
    assert AuditEntry.objects.filter(action="certificate.receive", object_id=str(receipt.pk)).count() == 1
    assert list(ViewRecord.objects.values_list("kind", flat=True)) == [ViewKind.VERIFY]
    assert WebhookDelivery.objects.count() == 1


def test_a_failing_audit_entry_leaves_no_receipt_and_no_view_record(
    world: World, issued: tuple[Guarantee, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    g, key = issued

    def fail(**kwargs: object) -> None:
        raise Boom

    monkeypatch.setattr(receipts, "audit_record", fail)
    with pytest.raises(Boom):
        verify(world, g, key)
    assert not Receipt.objects.exists()
    assert not ViewRecord.objects.exists()


def test_a_repeat_verification_of_an_amended_certificate_marks_it_seen_only_with_its_view_record(
    world: World, issued: tuple[Guarantee, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    g, key = issued
    verify(world, g, key)
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=g.contract_date,
        reason="契約変更",
        now=timezone.now(),
    )
    g.refresh_from_db()
    assert g.current_version == 2

    def fail(*args: object, **kwargs: object) -> None:
        raise Boom

    monkeypatch.setattr(receipts, "_VIEW_RECORD", fail)  # the view record's INSERT
    with pytest.raises(Boom):
        verify(world, g, key)
    # Still 変更あり for the orderer: the new version was not seen, as no view of it was recorded.
    assert Receipt.objects.get().last_seen_version == 1
    assert ViewRecord.objects.count() == 1

    monkeypatch.undo()
    assert verify(world, g, key).last_seen_version == 2
    assert list(ViewRecord.objects.order_by("pk").values_list("version", flat=True)) == [1, 2]


def test_a_later_look_at_a_new_version_marks_it_seen_only_with_its_view_record(
    world: World, issued: tuple[Guarantee, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    g, key = issued
    receipt = verify(world, g, key)
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=g.contract_date,
        reason="契約変更",
        now=timezone.now(),
    )
    receipt = Receipt.objects.select_related("guarantee").get(pk=receipt.pk)

    def fail(*args: object, **kwargs: object) -> None:
        raise Boom

    monkeypatch.setattr(receipts, "_VIEW_RECORD", fail)  # the view record's INSERT
    with pytest.raises(Boom):
        services.receipt_record_view(
            receipt=receipt, user=world.orderer_user, kind=ViewKind.VIEW, client_ip="192.0.2.10", now=timezone.now()
        )
    assert Receipt.objects.get().last_seen_version == 1


def test_a_repeat_verification_reads_number_key_and_receipt_in_one_query(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    """The orderer's hot path: one read (guarantee, key digest, the caller's receipt), one INSERT
    (besides the limits' cache read, a query only where the cache is the database)."""
    g, key = issued
    first = verify(world, g, key)
    with CaptureQueriesContext(connection) as captured:
        again = verify(world, g, key)
    asked = [q["sql"] for q in captured.captured_queries if "esurety_cache" not in q["sql"]]
    assert len(asked) == 2 and "verification_receipt" in asked[0] and asked[1].startswith("INSERT")
    stored = Receipt.objects.get()
    assert (again.pk, again.orderer_id, again.guarantee_id, again.last_seen_version) == (
        stored.pk,
        stored.orderer_id,
        stored.guarantee_id,
        stored.last_seen_version,
    )
    assert (again.first_verified_at, again.first_verified_by_id) == (first.first_verified_at, world.orderer_user.pk)
    assert list(ViewRecord.objects.values_list("receipt_id", flat=True)) == [stored.pk, stored.pk]


def test_another_orderers_receipt_of_the_same_guarantee_is_never_taken_for_the_callers(
    world: World, issued: tuple[Guarantee, str]
) -> None:
    g, key = issued
    other = make_orderer("香川県")
    stranger = make_user("kagawa", orderer=other)
    foreign = Receipt.objects.create(
        orderer=other, guarantee=g, first_verified_at=timezone.now(), first_verified_by=stranger, last_seen_version=1
    )
    receipt = verify(world, g, key)
    assert receipt.pk != foreign.pk and receipt.orderer_id == world.orderer.pk
    assert AuditEntry.objects.filter(action="certificate.receive", object_id=str(receipt.pk)).count() == 1
    assert ViewRecord.objects.get().receipt_id == receipt.pk
