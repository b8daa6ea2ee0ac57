"""変更申請's 内容: each amount and each date on one line (149,840,000 / 円 in the demo's list at 1366 px,
令和9 / 年10月17日 in a 工期 change beside a long 工事名)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from esurety.core.clock import business_date, now
from esurety.guarantees import services
from esurety.guarantees.models import AmendmentType
from tests.e2e.conftest import login
from tests.factories import PASSWORD, World, make_guarantee

pytestmark = [pytest.mark.e2e]

# Each amount (149,840,000円, 100,000,000) or date (令和9年10月17日) of a cell that takes two lines.
UNIT_ALONE = r"""() => {
  const found = [];
  document.querySelectorAll('main td').forEach(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      for (const m of node.textContent.matchAll(/令和\d+年\d+月\d+日|\d[\d,]*\d円?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) found.push(m[0]);
      }
    }
  });
  return found;
}"""


@pytest.mark.parametrize("width", [1366, 1280])
def test_amounts_and_dates_keep_their_unit(world: World, live_server: Any, new_page: Any, width: int) -> None:
    long_name = "令和8年度 多家良トンネル補修工事（その2）に伴う市道沖浜線道路改良及び付帯工事"
    amount = make_guarantee(world, work_name=long_name)
    period = make_guarantee(world, work_name=long_name)
    services.amendment_request_create(
        guarantee=amount,
        by=world.clerk,
        amendment_type=AmendmentType.AMOUNT,
        contract_price=149_840_000,
        guaranteed_amount=44_900_000,
        effective_on=business_date(),
        reason="発注者からの設計変更の指示により、舗装の数量と附帯工の範囲を見直したため",
        now=now(),
    )
    services.amendment_request_create(
        guarantee=period,
        by=world.clerk,
        amendment_type=AmendmentType.PERIOD,
        completion_date=period.completion_date + dt.timedelta(days=200),
        effective_on=business_date(),
        reason="用地の引渡しが遅れ、発注者と協議のうえ工期を延長することになったため",
        now=now(),
    )
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, "approver", PASSWORD)
    page.goto(live_server.url + "/office/amendments/")
    assert page.locator("main tbody tr").count() == 2
    assert page.evaluate(UNIT_ALONE) == []
    # The guarantee's own page lists its requests the same way.
    for g in (amount, period):
        page.goto(f"{live_server.url}/office/guarantees/{g.number}/")
        assert page.evaluate(UNIT_ALONE) == [], g.number
