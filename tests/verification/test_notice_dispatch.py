"""「認証キー等のお知らせ」 sent to the orderer's department: the service's rules (who may send, one
mail for simultaneous sends, the subject template). The contractor's page is tested in tests/contractor."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from esurety.core.errors import DomainError
from esurety.notifications.models import OutboxMessage
from esurety.verification import services as verification
from tests.conftest import postgres_only
from tests.factories import World, make_guarantee


def dispatch_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="notice_dispatch").order_by("id"))


def test_service_refuses_another_companys_user(world: World) -> None:
    g = make_guarantee(world)
    with pytest.raises(DomainError):
        verification.notice_dispatch_send(guarantee=g, by=world.other_contractor_user, now=timezone.now())
    assert dispatch_messages() == []


def test_fill_placeholders_never_fails() -> None:
    fill = verification.fill_placeholders
    assert fill("{kind}{number}", {"kind": "前払", "number": "1"}) == "前払1"
    assert fill("{x} {} { kind } {{kind}} }{", {"kind": "K"}) == "{x} {} { kind } {K} }{"
    # A value that looks like a placeholder is not expanded again.
    assert fill("{work_name}", {"work_name": "{number}工事", "number": "1"}) == "{number}工事"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sends_of_one_guarantee_mail_once(world: World) -> None:
    """Two requests at the same instant (a double click on two workers): the row lock lets one through."""
    g = make_guarantee(world)
    parallel = 4
    start = threading.Barrier(parallel)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait(timeout=30)
            verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=timezone.now())
            outcomes.append("sent")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (parallel - 1) + ["sent"]
    assert len(dispatch_messages()) == 1
