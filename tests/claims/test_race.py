"""Two staff deciding the same claim at the same moment, on PostgreSQL: one decision.

Without the claim's row lock (services.common.lock_claim) both would read 審査中 and both
decide; this test fails then (checked by removing the lock).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.claims import services as claims
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimMessage
from esurety.core.errors import InvalidStateError
from esurety.parties.models import User
from tests.advances.test_race import race
from tests.claims.helpers import assess, file_claim, receive, second_approver
from tests.conftest import postgres_only
from tests.factories import World, make_guarantee


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_deciding_one_claim_at_once_make_one_decision(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    claim = assess(world, file_claim(world, g))
    other = second_approver(world)

    def decide(by: User, decision: str) -> Callable[[], object]:
        return lambda: claims.claim_decide(claim=claim, by=by, decision=decision, reason="決定", now=timezone.now())

    done, errors = race(decide(world.approver, "PAY"), decide(other, "REFUSE"))
    assert len(done) == 1
    assert len(errors) == 1 and isinstance(errors[0], InvalidStateError), errors
    claim.refresh_from_db()
    assert claim.status in (ClaimStatus.PAYMENT_DECIDED, ClaimStatus.REFUSED)
    assert AuditEntry.objects.filter(action="claim.decide").count() == 1
    assert ClaimMessage.objects.filter(claim=claim, kind="DECISION").count() == 1
    assert Claim.objects.count() == 1
    assert audit_verify() is None
