"""The claim over the API: an orderer's system files it, two surety systems assess and decide it."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from esurety.claims.models import Claim
from esurety.core.clock import business_date
from esurety.guarantees.models import GuaranteeStatus
from tests.api.conftest import Api, Tokens, assert_error
from tests.claims.helpers import PDF, receive
from tests.factories import World, make_guarantee

pytestmark = pytest.mark.django_db


def claim_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "termination_date": (business_date() - dt.timedelta(days=1)).isoformat(),
        "termination_reason": "DEFAULT",
        "advance_paid": 40_000_000,
        "work_done_value": 15_000_000,
        "documents": [
            {"title": "解除通知書", "filename": "kaijo.pdf", "content_base64": base64.b64encode(PDF).decode()}
        ],
    }
    body.update(overrides)
    return body


def test_file_assess_decide_and_pay_over_the_api(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    receive(world, g)
    orderer = Api(tokens.orderer)
    filed = orderer.post(f"/certificates/{g.number}/claim", claim_body())
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert filed.json()["status"] == {"code": "RECEIVED", "label": "受付"}
    assert filed.json()["claimed_amount"] == 25_000_000
    again = orderer.post(f"/certificates/{g.number}/claim", claim_body())
    assert number in assert_error(again, 409, "invalid_state")["message"]

    clerk, approver = Api(tokens.clerk), Api(tokens.approver)
    assessed = clerk.post(f"/surety/claims/{number}/assessment", {"work_done_value": 16_000_000, "note": "確認"})
    assert assessed.status_code == 200 and assessed.json()["assessed_amount"] == 24_000_000
    # The clerk's token cannot decide (not an approver); the approver's can.
    assert_error(
        clerk.post(f"/surety/claims/{number}/decision", {"decision": "PAY", "reason": "支払"}), 403, "not_permitted"
    )
    decided = approver.post(f"/surety/claims/{number}/decision", {"decision": "PAY", "reason": "支払"})
    assert decided.json()["status"]["code"] == "PAYMENT_DECIDED"
    paid = clerk.post(f"/surety/claims/{number}/payment", {"paid_on": business_date().isoformat()})
    assert paid.json()["paid_amount"] == 24_000_000
    assert orderer.get(f"/claims/{number}").json()["status"]["label"] == "支払済"
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.PAID_OUT
    assert orderer.get(f"/certificates/{g.number}").json()["status"]["code"] == "PAID_OUT"


def test_strangers_get_404_and_bad_documents_a_422(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    receive(world, g)
    assert_error(Api(tokens.stranger_orderer).post(f"/certificates/{g.number}/claim", claim_body()), 404, "not_found")
    bad = Api(tokens.orderer).post(
        f"/certificates/{g.number}/claim",
        claim_body(documents=[{"title": "解除通知書", "filename": "a.pdf", "content_base64": "***"}]),
    )
    assert bad.status_code in (400, 422)
    assert not Claim.objects.exists()
    Api(tokens.orderer).post(f"/certificates/{g.number}/claim", claim_body())
    number = Claim.objects.get().number
    assert_error(Api(tokens.other_surety).get(f"/surety/claims/{number}"), 404, "not_found")
    assert_error(Api(tokens.stranger_orderer).get(f"/claims/{number}"), 404, "not_found")


def test_completion_over_the_api(world: World, tokens: Tokens) -> None:
    g = make_guarantee(world)
    receive(world, g)
    done = Api(tokens.orderer).post(
        f"/certificates/{g.number}/completion",
        {
            "completed_on": (business_date() - dt.timedelta(days=3)).isoformat(),
            "inspected_on": business_date().isoformat(),
            "inspection_passed": True,
        },
    )
    assert done.status_code == 200 and done.json() == {"completed": [g.number]}
