"""The claims pages for the HTML validator and axe walks (tests/web/site_pages.py): a completed
guarantee, a claim waiting for documents, an assessed one, a paid one, a price cut to refund."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from esurety.claims import services as claims
from esurety.core.clock import business_date
from tests.claims.helpers import assess, file_claim, receive
from tests.factories import World, amend_amount, make_guarantee


def claim_pages(world: World) -> dict[str, list[str]]:
    """Paths by username: the contractor, the orderer (any of its users), the clerk, the approver."""
    now = timezone.now()
    completed = make_guarantee(world, work_name="完成した工事")
    receive(world, completed)
    claims.guarantee_complete(
        guarantee=completed,
        by=world.orderer_user,
        completed_on=business_date() - dt.timedelta(days=5),
        inspected_on=business_date() - dt.timedelta(days=2),
        inspection_passed=True,
        now=now,
    )
    asked = make_guarantee(world, work_name="追加資料を求められた工事")
    receive(world, asked)
    waiting = claims.claim_request_documents(
        claim=file_claim(world, asked), by=world.clerk, message="既済部分検査調書を添付してください。", now=now
    )
    assessed_g = make_guarantee(world, work_name="審査済みの工事")
    receive(world, assessed_g)
    assessed = assess(world, file_claim(world, assessed_g))
    paid_g = make_guarantee(world, work_name="保証金を支払った工事")
    receive(world, paid_g)
    paid = assess(world, file_claim(world, paid_g, termination_reason="REHABILITATION_DEBTOR"))
    paid = claims.claim_decide(
        claim=paid, by=world.approver, decision="PAY", reason="約款に基づき支払います。", now=now
    )
    paid = claims.claim_record_payment(claim=paid, by=world.clerk, paid_on=business_date(), now=now)
    cut = make_guarantee(world, work_name="減額された工事")
    amend_amount(
        guarantee=cut,
        by=world.clerk,
        contract_price=70_000_000,
        guaranteed_amount=28_000_000,
        effective_on=business_date(),
        reason="工事内容の一部取りやめによる減額",
        now=now,
    )
    fresh = make_guarantee(world, work_name="請求前の工事")
    receive(world, fresh)
    w, a, p = waiting.number, assessed.number, paid.number
    return {
        world.contractor_user.username: ["/contractor/claims/", f"/contractor/claims/{p}/", f"/contractor/claims/{w}/"],
        "orderer": [
            "/verify/claims/",
            f"/verify/claims/{w}/",
            f"/verify/claims/{p}/",
            f"/verify/certificates/{fresh.number}/claim/",
            f"/verify/certificates/{fresh.number}/completion/",
            f"/verify/certificates/{completed.number}/",
            f"/verify/certificates/{paid_g.number}/",
        ],
        world.clerk.username: [
            "/office/claims/",
            "/office/claims/?status=PAID",
            f"/office/claims/{w}/",
            f"/office/claims/{a}/",
            f"/office/claims/{p}/",
            f"/office/guarantees/{fresh.number}/completion/",
            f"/office/guarantees/{completed.number}/completion/",
            f"/office/guarantees/{paid_g.number}/",
        ],
        world.approver.username: [f"/office/claims/{a}/"],
    }
