"""The claim's signed PDFs: as filed, the decision, the payment; registered and checkable on /check/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from esurety.check.selectors import document_check
from esurety.claims import services as claims
from esurety.core.clock import business_date
from esurety.core.wareki import format_wareki
from esurety.signing.models import DocumentKind, IssuedDocument
from tests.claims.helpers import assess, file_claim, receive
from tests.contractor.portal import pdf_text
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


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def test_each_document_bears_the_day_of_its_step_and_fits_one_page(world: World) -> None:
    """Downloaded weeks later, a notice still says the day of the step it records (a signed
    document fetched twice must not say two things), on one sheet, with the check page's QR."""
    g = make_guarantee(world)
    receive(world, g)
    claim = file_claim(world, g)
    claim = claims.claim_decide(
        claim=assess(world, claim),
        by=world.approver,
        decision="PAY",
        reason="約款に基づき、前払金から既済部分の代価を控除した額を支払います。",
        now=timezone.now(),
    )
    paid_on = business_date()
    claims.claim_record_payment(claim=claim, by=world.clerk, paid_on=paid_on, now=timezone.now())
    claim.refresh_from_db()
    assert claim.filed_at is not None and claim.decided_at is not None
    later = timezone.now() + dt.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        staff = Client()
        staff.force_login(world.clerk)
        for which, day in (
            ("filed", business_date(claim.filed_at)),
            ("decision", business_date(claim.decided_at)),
            ("payment", paid_on),
        ):
            text = pdf_text(staff.get(f"/office/claims/{claim.number}/{which}.pdf").content)
            assert "発行日" + _squeezed(format_wareki(day)) in _squeezed(text), which
            assert _squeezed(format_wareki(business_date(later))) not in _squeezed(text), which
            assert "書類の真正性確認" in text, which
            assert text.count("\f") == 1, f"{which}: {text.count(chr(12))} pages"
