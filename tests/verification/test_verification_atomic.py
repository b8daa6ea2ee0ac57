"""A verification writes its receipt, the receipt's audit entry, its webhook rows and the view
record in one transaction: a failure of any of them leaves none of them behind."""

from __future__ import annotations

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role
from esurety.verification import services
from esurety.verification.models import Receipt, ViewKind, ViewRecord
from esurety.webhooks.models import WebhookDelivery
from esurety.webhooks.services import webhook_endpoint_create
from tests.factories import World, amend_amount, make_guarantee, make_user


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

    def fail(*args: object, **kwargs: object) -> ViewRecord:
        raise Boom

    monkeypatch.setattr(ViewRecord.objects, "create", fail)
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

    monkeypatch.setattr(services, "audit_record", fail)
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

    def fail(*args: object, **kwargs: object) -> ViewRecord:
        raise Boom

    monkeypatch.setattr(ViewRecord.objects, "create", fail)
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

    def fail(*args: object, **kwargs: object) -> ViewRecord:
        raise Boom

    monkeypatch.setattr(ViewRecord.objects, "create", fail)
    with pytest.raises(Boom):
        services.receipt_record_view(
            receipt=receipt, user=world.orderer_user, kind=ViewKind.VIEW, client_ip="192.0.2.10", now=timezone.now()
        )
    assert Receipt.objects.get().last_seen_version == 1
