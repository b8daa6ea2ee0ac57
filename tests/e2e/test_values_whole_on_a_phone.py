"""On a 390 px phone a date or an amount inside a longer cell stays whole: 令和8年10月29日 払出 in the
contractor's and the office's lists of withdrawals broke as 令和8年10月 / 29日 払出, and the
certificate's 100,000,000 / 円."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from esurety.advances import services as advances
from esurety.core.clock import now
from tests.e2e.conftest import BROKEN_VALUES, login
from tests.factories import PASSWORD, World, ready_account, request

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
        "clerk": [f"/office/advances/accounts/{number}/"],
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
