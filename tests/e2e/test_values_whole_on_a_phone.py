"""On a 390 px phone a date or an amount inside a longer cell stays whole: 令和8年10月29日 払出 in the
contractor's and the office's lists of withdrawals broke as 令和8年10月 / 29日 払出, the certificate's
100,000,000 / 円, an orderer's 電子交付 period 令和6年4月1 / 日から."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from esurety.advances import services as advances
from esurety.claims import services as claims
from esurety.core.clock import business_date, now
from tests.claims.helpers import assess, file_claim, receive
from tests.e2e.conftest import BROKEN_VALUES, login
from tests.factories import PASSWORD, World, make_guarantee, ready_account, request

pytestmark = [pytest.mark.e2e]

PHONE = {"width": 390, "height": 844}


def test_paid_dates_and_certificate_amounts_stay_whole(world: World, live_server: Any, new_page: Any) -> None:
    aw = ready_account(world)
    for line_no in (1, 2):
        w = request(aw, line_no=line_no)
        advances.withdrawal_pay(withdrawal=w, by=aw.bank_user, paid_on=dt.date(2026, 10, 29), now=now())
    number = aw.guarantee.number
    pages = {
        "alice": [
            f"/contractor/guarantees/{number}/advance/",
            "/contractor/advances/withdrawals/",
            f"/contractor/guarantees/{number}/",
        ],
        "clerk": [f"/office/advances/accounts/{number}/", f"/office/orderers/{world.orderer.pk}/"],
    }
    report = []
    for username, paths in pages.items():
        page = new_page()
        page.set_viewport_size(PHONE)
        login(page, live_server, username, PASSWORD)
        for path in paths:
            page.goto(live_server.url + path)
            report += [f"{path}: {value}" for value in page.evaluate(BROKEN_VALUES)]
    assert not report, "\n".join(report)


def test_a_claims_decision_and_a_deposits_moment_stay_whole(world: World, live_server: Any, new_page: Any) -> None:
    """支払（2026/11/12 / 11:00） 保証金 8,250,000円 in a claim's summary, 2026/05/08 / 11:00 ▲▲支店 前払金窓口
    in the bank's list of deposits."""
    aw = ready_account(world)
    g = make_guarantee(world, work_name="保証金を支払った工事")
    receive(world, g)
    claim = assess(world, file_claim(world, g))
    claim = claims.claim_decide(
        claim=claim, by=world.approver, decision="PAY", reason="約款に基づき支払います。", now=now()
    )
    claim = claims.claim_record_payment(claim=claim, by=world.clerk, paid_on=business_date(), now=now())
    pages = {
        "orderer": [f"/verify/claims/{claim.number}/"],
        "clerk": [f"/office/claims/{claim.number}/"],
        aw.bank_user.username: [f"/bank/accounts/{aw.guarantee.number}/"],
    }
    report = []
    for username, paths in pages.items():
        page = new_page()
        page.set_viewport_size(PHONE)
        login(page, live_server, username, PASSWORD)
        for path in paths:
            assert page.goto(live_server.url + path).status == 200, path
            report += [f"{path}: {value}" for value in page.evaluate(BROKEN_VALUES)]
    assert not report, "\n".join(report)
