"""The claim's signed PDFs: as filed, the decision, the payment; registered and checkable on /check/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from esurety.check.selectors import document_check
from esurety.claims import services as claims
from esurety.core.clock import business_date
from esurety.signing.models import DocumentKind, IssuedDocument
from tests.claims.helpers import assess, file_claim, receive
from tests.factories import World, make_guarantee

pytestmark = pytest.mark.django_db


def test_each_step_has_its_signed_registered_document(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    claim = file_claim(world, g)
    orderer = Client()
    orderer.force_login(world.orderer_user)
    assert orderer.get(f"/verify/claims/{claim.number}/decision.pdf").status_code == 404
    filed = orderer.get(f"/verify/claims/{claim.number}/filed.pdf")
    assert filed.status_code == 200 and filed["Content-Type"] == "application/pdf"
    claim = claims.claim_decide(
        claim=assess(world, claim), by=world.approver, decision="PAY", reason="支払います", now=timezone.now()
    )
    claims.claim_record_payment(claim=claim, by=world.clerk, paid_on=business_date(), now=timezone.now())
    staff = Client()
    staff.force_login(world.clerk)
    decision = staff.get(f"/office/claims/{claim.number}/decision.pdf")
    payment = staff.get(f"/office/claims/{claim.number}/payment.pdf")
    assert decision.status_code == payment.status_code == 200
    for response, kind in (
        (filed, DocumentKind.CLAIM),
        (decision, DocumentKind.CLAIM_DECISION),
        (payment, DocumentKind.CLAIM_PAYMENT),
    ):
        result = document_check(data=response.content)
        assert result.genuine, result
        assert IssuedDocument.objects.filter(kind=kind, guarantee=g).exists()
    # Another orderer's user gets nothing.
    from tests.factories import make_orderer, make_user

    stranger = Client()
    stranger.force_login(make_user("kochi", orderer=make_orderer("高知県")))
    assert stranger.get(f"/verify/claims/{claim.number}/filed.pdf").status_code == 404
