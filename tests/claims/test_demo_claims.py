"""The demo shows the end of a guarantee: a completed one, a claim under review, a paid claim."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from esurety.audit.services import audit_verify
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimTerms, RefundRule
from esurety.guarantees.models import Guarantee, GuaranteeStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        with override_settings(DEMO_MODE=True):
            call_command("demo_seed", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_a_completed_guarantee_a_claim_under_review_and_a_paid_claim(seeded: None) -> None:
    assert Guarantee.objects.filter(status=GuaranteeStatus.COMPLETED).exists()
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == {ClaimStatus.DOCUMENTS_REQUESTED, ClaimStatus.PAID}
    assert Guarantee.objects.filter(status=GuaranteeStatus.PAID_OUT).count() == 1
    # Their terms and the refund rule are samples, and say so.
    assert ClaimTerms.objects.get().is_sample and RefundRule.objects.get().is_sample
    assert audit_verify() is None
