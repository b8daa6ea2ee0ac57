"""完成: recorded by the orderer or by staff from its notice; the guarantee and its riders become 完了."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.claims import selectors
from esurety.claims import services as claims
from esurety.claims.models import Completion
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.models import GuaranteeStatus
from esurety.notifications.models import OutboxMessage
from tests.claims.helpers import receive
from tests.factories import World, make_guarantee

pytestmark = pytest.mark.django_db


def complete(world: World, g, by=None, **kw):  # type: ignore[no-untyped-def]
    args = {
        "completed_on": business_date() - dt.timedelta(days=5),
        "inspected_on": business_date() - dt.timedelta(days=2),
        "inspection_passed": True,
    }
    args.update(kw)
    return claims.guarantee_complete(guarantee=g, by=by or world.orderer_user, now=timezone.now(), **args)


def test_the_orderer_reports_completion_and_the_guarantee_and_its_rider_are_complete(world: World) -> None:
    advance = make_guarantee(world)
    performance = make_guarantee(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    receive(world, advance)
    done = complete(world, advance)
    assert {g.number for g in done} == {advance.number, performance.number}
    for g in (advance, performance):
        g.refresh_from_db()
        assert g.status == GuaranteeStatus.COMPLETED and g.get_status_display() == "完了"
    assert Completion.objects.get(guarantee=advance).source == "ORDERER"
    assert OutboxMessage.objects.filter(template="guarantee_completed").exists()
    assert "guarantee.complete" in [e.action for e in selectors.guarantee_history(advance)]
    with pytest.raises(InvalidStateError):
        complete(world, advance)


def test_staff_record_completion_from_the_orderer_s_notice(world: World) -> None:
    g = make_guarantee(world)
    complete(world, g, by=world.clerk)
    assert Completion.objects.get(guarantee=g).source == "SURETY"


def test_completion_needs_a_passed_inspection_and_sane_dates(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    with pytest.raises(DomainError) as refused:
        complete(world, g, inspection_passed=False, inspected_on=business_date() + dt.timedelta(days=1))
    assert {v.field for v in refused.value.violations} == {"inspection_passed", "inspected_on"}
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.ACTIVE


def test_nobody_else_records_completion(world: World) -> None:
    g = make_guarantee(world)
    # The orderer has not received the certificate yet; the contractor never reports it.
    for outsider in (world.orderer_user, world.contractor_user):
        with pytest.raises(NotPermitted):
            complete(world, g, by=outsider)
    assert not Completion.objects.exists()
