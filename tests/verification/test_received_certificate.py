"""receipt_for_orderer: a received certificate with everything its page prints, in one read, for
the receiving organisation's active users only."""

from __future__ import annotations

import threading

from django.db import connection
from django.test.utils import CaptureQueriesContext

from esurety.parties.models import User
from esurety.verification.selectors import receipt_for_orderer
from tests.claims.helpers import file_claim
from tests.factories import World, make_guarantee, make_orderer, make_user
from tests.office.lifecycle import receive


def test_the_certificate_its_parties_claim_and_first_verifier_come_in_one_query(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    with CaptureQueriesContext(connection) as captured:
        receipt = receipt_for_orderer(user=world.orderer_user, number=g.number)
        assert receipt is not None
        printed = (
            receipt.guarantee.number,
            receipt.guarantee.contractor.name,
            receipt.guarantee.surety.name,
            receipt.guarantee.orderer.name,
            receipt.guarantee.branch.name,
            receipt.first_verified_by.username,
        )
        assert not hasattr(receipt.guarantee, "claim")  # none filed, known without asking
    assert len(captured.captured_queries) == 1
    assert printed == (
        g.number,
        world.contractor.name,
        world.surety.name,
        world.orderer.name,
        g.branch.name,
        world.orderer_user.username,
    )


def test_a_filed_claim_comes_with_the_certificate(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    claim = file_claim(world, g)
    with CaptureQueriesContext(connection) as captured:
        receipt = receipt_for_orderer(user=world.orderer_user, number=g.number)
        assert receipt is not None and receipt.guarantee.claim.number == claim.number
    assert len(captured.captured_queries) == 1


def test_each_call_reads_its_own_number_and_orderer(world: World) -> None:
    first, second = make_guarantee(world), make_guarantee(world)
    receive(world, first)
    receive(world, second)
    for g in (first, second, first):
        receipt = receipt_for_orderer(user=world.orderer_user, number=g.number)
        assert receipt is not None and receipt.guarantee_id == g.pk
    # Typed as the orderer's users type it: full-width digits are the same number.
    full_width = first.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    found = receipt_for_orderer(user=world.orderer_user, number=full_width)
    assert found is not None and found.guarantee_id == first.pk


def test_nothing_for_another_orderer_an_unreceived_certificate_or_an_inactive_user(world: World) -> None:
    g = make_guarantee(world)
    unreceived = make_guarantee(world)
    receive(world, g)
    stranger = make_user("kagawa", orderer=make_orderer("香川県"))
    assert receipt_for_orderer(user=stranger, number=g.number) is None
    assert receipt_for_orderer(user=world.orderer_user, number=unreceived.number) is None
    assert receipt_for_orderer(user=world.contractor_user, number=g.number) is None
    User.objects.filter(pk=world.orderer_user.pk).update(is_active=False)
    world.orderer_user.refresh_from_db()
    assert receipt_for_orderer(user=world.orderer_user, number=g.number) is None


def test_a_call_from_another_thread_uses_that_threads_connection(world: World) -> None:
    """The query is compiled once per process; the server of a live test answers from its own thread."""
    g = make_guarantee(world)
    receive(world, g)
    assert receipt_for_orderer(user=world.orderer_user, number=g.number) is not None  # compiled here
    used: list[object] = []

    def look() -> None:
        from django.db import connections

        with CaptureQueriesContext(connections["default"]) as captured:
            try:
                receipt_for_orderer(user=world.orderer_user, number=g.number)
            except Exception as exc:  # noqa: BLE001 - reported below, with the thread's connection
                used.append(exc)
        used.append(len(captured.captured_queries))
        connections.close_all()

    t = threading.Thread(target=look)
    t.start()
    t.join()
    # The other thread's own connection ran the query (its test database may not hold the row).
    assert used[-1] == 1
