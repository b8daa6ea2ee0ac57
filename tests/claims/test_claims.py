"""Filing, reviewing, deciding and paying a claim through the services: who may, when, and what changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from esurety.advances.kinds import AccountStatus
from esurety.advances.models import AdvanceAccount
from esurety.audit.services import audit_verify
from esurety.claims import selectors
from esurety.claims import services as claims
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimTerms
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Role
from esurety.webhooks.models import WebhookDelivery
from esurety.webhooks.services import webhook_endpoint_create
from tests.claims.helpers import assess, claim_input, file_claim, pdf, receive, second_approver
from tests.factories import World, make_guarantee, make_orderer, make_user, ready_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarantee(world: World) -> Guarantee:
    g = make_guarantee(world)
    receive(world, g)
    return g


def test_the_beneficiary_files_a_claim_the_guarantee_is_claimed_and_parties_are_told(
    world: World, guarantee: Guarantee
) -> None:
    claim = file_claim(world, guarantee)
    assert claim.number == f"C{guarantee.number}"
    assert claim.status == ClaimStatus.RECEIVED
    # 40,000,000 advance − 15,000,000 work done.
    assert claim.claimed_amount == 25_000_000
    guarantee.refresh_from_db()
    assert guarantee.status == GuaranteeStatus.CLAIMED
    assert guarantee.get_status_display() == "履行請求中"
    assert claim.documents.count() == 1
    # The contractor's users, and the orderer through its department for advance guarantees.
    to = sorted(a for m in OutboxMessage.objects.filter(template="claim_changed") for a in m.to)
    assert to == ["alice@example.com", f"koji-{world.orderer.pk}@orderer.example"]


def test_a_second_claim_on_the_same_guarantee_is_refused_with_the_first_ones_number(
    world: World, guarantee: Guarantee
) -> None:
    first = file_claim(world, guarantee)
    colleague = make_user("orderer2", orderer=world.orderer)
    with pytest.raises(InvalidStateError) as refused:
        file_claim(world, guarantee, by=colleague)
    assert first.number in str(refused.value)
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("end", ["cancelled", "expired", "completed"])
def test_a_claim_on_an_ended_guarantee_is_refused_with_the_reason(world: World, end: str) -> None:
    if end == "expired":
        g = make_guarantee(world, completion_date=dt.date(2026, 6, 30))
        receive(world, g)
        services.guarantees_expire_due(today=dt.date(2026, 7, 1))
        label = "保証期間満了"
    else:
        g = make_guarantee(world)
        receive(world, g)
        if end == "cancelled":
            services.guarantee_cancel(guarantee=g, by=world.approver, reason="工事の中止", now=timezone.now())
            label = "解約"
        else:
            claims.guarantee_complete(
                guarantee=g,
                by=world.orderer_user,
                completed_on=business_date() - dt.timedelta(days=5),
                inspected_on=business_date() - dt.timedelta(days=2),
                inspection_passed=True,
                now=timezone.now(),
            )
            label = "完了"
    g.refresh_from_db()
    before = g.status
    with pytest.raises(InvalidStateError) as refused:
        file_claim(world, g, termination_date=dt.date(2026, 6, 1))
    assert f"「{label}」のため履行請求できません" in str(refused.value)
    g.refresh_from_db()
    assert g.status == before
    assert not Claim.objects.exists()


def test_only_the_beneficiary_that_received_the_certificate_may_claim(world: World) -> None:
    g = make_guarantee(world)
    # Not yet received (verified) by the orderer.
    with pytest.raises(NotPermitted):
        file_claim(world, g)
    receive(world, g)
    # Another orderer cannot even receive it (verification refuses it); the contractor and staff never claim.
    other_orderer_user = make_user("kochi", orderer=make_orderer("高知県"))
    for outsider in (other_orderer_user, world.contractor_user, world.clerk):
        with pytest.raises(NotPermitted):
            file_claim(world, g, by=outsider)
    assert not Claim.objects.exists()
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.ACTIVE


def test_bad_figures_are_refused_beside_their_fields_and_nothing_is_written(world: World, guarantee: Guarantee) -> None:
    with pytest.raises(DomainError) as refused:
        file_claim(
            world,
            guarantee,
            termination_date=business_date() + dt.timedelta(days=1),
            termination_reason="X",
            work_done_value=-1,
        )
    fields = {v.field for v in refused.value.violations}
    assert {"termination_date", "termination_reason", "work_done_value"} <= fields
    with pytest.raises(DomainError) as no_documents:
        claims.claim_file(
            guarantee=guarantee, by=world.orderer_user, data=claim_input(), uploads=[], now=timezone.now()
        )
    assert "documents" in {v.field for v in no_documents.value.violations}
    assert not Claim.objects.exists()


def test_a_claim_past_the_surety_s_deadline_is_refused(world: World, guarantee: Guarantee) -> None:
    ClaimTerms.objects.create(
        surety=world.surety, effective_from=dt.date(2026, 1, 1), filing_deadline_days=30, required_documents=[]
    )
    with pytest.raises(DomainError) as refused:
        file_claim(world, guarantee, termination_date=business_date() - dt.timedelta(days=31))
    assert "請求期限" in str(refused.value)
    claim = file_claim(world, guarantee, termination_date=business_date() - dt.timedelta(days=30))
    assert claim.deadline_on == business_date()


def test_the_whole_path_documents_assessment_four_eyes_decision_and_payment(world: World) -> None:
    aw = ready_account(world)
    g = aw.guarantee
    receive(world, g)
    webhook_endpoint_create(
        owner=world.surety,
        by=None,
        url="http://127.0.0.1:9/hook",
        events=["claim.filed", "claim.decided", "claim.paid"],
        now=timezone.now(),
    )
    claim = file_claim(world, g)
    account = AdvanceAccount.objects.get(pk=aw.account.pk)
    assert account.status == AccountStatus.STOPPED
    assert claim.number in account.stop_reason

    claim = claims.claim_request_documents(
        claim=claim, by=world.clerk, message="既済部分検査調書を添付してください。", now=timezone.now()
    )
    assert claim.status == ClaimStatus.DOCUMENTS_REQUESTED
    assert selectors.claim_facts(claim).missing_documents == ("既済部分検査調書", "前払金の支払を証する書類")
    claim = claims.claim_add_documents(
        claim=claim, by=world.orderer_user, uploads=[pdf("既済部分検査調書", "chosho.pdf")], now=timezone.now()
    )
    assert claim.status == ClaimStatus.UNDER_REVIEW

    claim = assess(world, claim, work_done_value=16_000_000)
    assert claim.assessed_amount == 24_000_000
    # The assessor does not decide; a plain clerk neither.
    world.clerk.role = Role.APPROVER
    world.clerk.save()
    with pytest.raises(NotPermitted):
        claims.claim_decide(claim=claim, by=world.clerk, decision="PAY", reason="支払う", now=timezone.now())
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    claim = claims.claim_decide(
        claim=claim, by=world.approver, decision="PAY", reason="約款に基づき支払います。", now=timezone.now()
    )
    assert claim.status == ClaimStatus.PAYMENT_DECIDED
    claim = claims.claim_record_payment(claim=claim, by=world.clerk, paid_on=business_date(), now=timezone.now())
    assert claim.status == ClaimStatus.PAID and claim.paid_amount == 24_000_000
    # The whole advance is still in the account: the surety recovers it by subrogation.
    assert claim.subrogated_balance == g.guaranteed_amount
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.PAID_OUT
    assert g.get_status_display() == "保証履行済"
    events = list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True))
    assert events == ["claim.filed", "claim.decided", "claim.paid"]
    # Every step, on the guarantee's history, in a chain that verifies.
    actions = [e.action for e in selectors.guarantee_history(g)]
    for action in (
        "guarantee.claim",
        "claim.file",
        "claim.request_documents",
        "claim.add_documents",
        "claim.assess",
        "claim.decide",
        "claim.pay",
        "guarantee.pay_out",
    ):
        assert action in actions
    assert audit_verify() is None
    # Mail at each change: filed, documents asked, added, (assessment: no change of state), decided, paid.
    to_orderer = [
        m
        for m in OutboxMessage.objects.filter(template="claim_changed").order_by("id")
        if f"koji-{world.orderer.pk}@orderer.example" in m.to
    ]
    assert len(to_orderer) == 5
    assert "既済部分検査調書を添付してください。" in to_orderer[1].body_text
    # The surety's words go to the orderer, not to the contractor.
    assert not any(
        "既済部分検査調書を添付" in m.body_text for m in OutboxMessage.objects.filter(to=["alice@example.com"])
    )


def test_a_refused_claim_gives_the_guarantee_back_its_state(world: World, guarantee: Guarantee) -> None:
    claim = assess(world, file_claim(world, guarantee), work_done_value=40_000_000)
    assert claim.assessed_amount == 0
    claim = claims.claim_decide(
        claim=claim, by=world.approver, decision="REFUSE", reason="既済部分が前払金を上回るため", now=timezone.now()
    )
    assert claim.status == ClaimStatus.REFUSED
    guarantee.refresh_from_db()
    assert guarantee.status == GuaranteeStatus.ACTIVE
    with pytest.raises(InvalidStateError):
        claims.claim_record_payment(claim=claim, by=world.clerk, paid_on=business_date(), now=timezone.now())


def test_a_zero_payout_cannot_be_decided_as_a_payment_and_nothing_changes(world: World, guarantee: Guarantee) -> None:
    claim = assess(world, file_claim(world, guarantee), work_done_value=40_000_000)
    assert claim.assessed_amount == 0
    with pytest.raises(DomainError) as refused:
        claims.claim_decide(claim=claim, by=world.approver, decision="PAY", reason="支払", now=timezone.now())
    assert "0円" in str(refused.value.violations[0].message)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.decided_at is None


def test_no_decision_without_an_assessment(world: World, guarantee: Guarantee) -> None:
    claim = file_claim(world, guarantee)
    with pytest.raises(InvalidStateError):
        claims.claim_decide(claim=claim, by=world.approver, decision="PAY", reason="支払", now=timezone.now())


def test_staff_of_another_surety_cannot_touch_the_claim(world: World, guarantee: Guarantee) -> None:
    from tests.factories import make_surety

    other, _ = make_surety("東日本建設業保証株式会社", first_number=3_000_000_001)
    outsider = make_user("eve", surety=other, role=Role.APPROVER)
    claim = file_claim(world, guarantee)
    with pytest.raises(NotPermitted):
        claims.claim_request_documents(claim=claim, by=outsider, message="資料を", now=timezone.now())
    with pytest.raises(NotPermitted):
        assess(world, claim, by=outsider)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECEIVED
    assert selectors.claim_for_staff(user=outsider, number=claim.number) is None
    assert (
        selectors.claim_for_orderer(user=make_user("kochi", orderer=make_orderer("高知県")), number=claim.number)
        is None
    )
    assert selectors.claim_for_contractor(user=world.other_contractor_user, number=claim.number) is None
    assert selectors.claim_for_contractor(user=world.contractor_user, number=claim.number) == claim


def test_a_second_approver_decides_after_an_approver_assessed(world: World, guarantee: Guarantee) -> None:
    claim = assess(world, file_claim(world, guarantee), by=world.approver)
    with pytest.raises(NotPermitted) as refused:
        claims.claim_decide(claim=claim, by=world.approver, decision="PAY", reason="支払", now=timezone.now())
    assert "自分が審査した" in str(refused.value)
    claim = claims.claim_decide(
        claim=claim, by=second_approver(world), decision="PAY", reason="支払", now=timezone.now()
    )
    assert claim.status == ClaimStatus.PAYMENT_DECIDED


def test_a_performance_guarantee_claim_pays_the_penalty_up_to_the_guaranteed_amount(world: World) -> None:
    advance = make_guarantee(world)
    performance = make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        advance_guarantee_number=advance.number,
    )
    receive(world, performance)
    claim = file_claim(world, performance, penalty_numerator=20, penalty_denominator=100)
    # 20/100 of 100,000,000 is 20,000,000: capped at the guaranteed 10,000,000.
    assert claim.claimed_amount == 10_000_000


def test_cancellation_issues_a_refund_statement_under_the_surety_s_rule(world: World) -> None:
    from esurety.claims.models import RefundRule
    from esurety.guarantees.models import PremiumStatement

    g = make_guarantee(world)
    # No rule of the surety: no statement (the rules are not public; each surety enters its own).
    assert (
        claims.guarantee_cancel_with_refund(guarantee=g, by=world.approver, reason="中止", now=timezone.now())[1]
        is None
    )
    RefundRule.objects.create(surety=world.surety, effective_from=dt.date(2026, 1, 1), fee=1_000, is_sample=True)
    g2 = make_guarantee(world, work_name="別の工事")
    g2, statement = claims.guarantee_cancel_with_refund(
        guarantee=g2, by=world.approver, reason="工事の中止", now=timezone.now()
    )
    assert g2.status == GuaranteeStatus.CANCELLED
    assert statement is not None and statement.statement_type == "REFUND" and statement.is_sample_rate
    paid = PremiumStatement.objects.get(guarantee=g2, statement_type="RECEIPT").amount
    assert 0 < statement.amount < paid and statement.amount % 100 == 0
    assert statement.number.startswith(f"H{g2.number}-")
    # The contractor finds it among its premium statements.
    from esurety.guarantees.selectors import premium_statement_for_contractor

    assert premium_statement_for_contractor(user=world.contractor_user, number=statement.number) == statement
