"""A claim in Chromium: the orderer files it with a document from the certificate page, the clerk
asks for more, the orderer adds it, the clerk assesses, an approver decides, the clerk records the
payment; the orderer and the contractor see the outcome. axe on every page on the way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim
from esurety.core.clock import business_date
from esurety.guarantees.models import GuaranteeStatus
from tests.claims.helpers import PDF, receive
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, make_guarantee

pytestmark = [pytest.mark.e2e]


AMBER = "rgb(255, 244, 224)"
GREEN = "rgb(225, 239, 228)"


def badge_colours(page: Any) -> tuple[str, str]:
    """The claim's state as shown in its summary, and the badge's background colour."""
    badge = page.locator(".cl-summary .cl-status")
    return badge.inner_text(), badge.evaluate("e => getComputedStyle(e).backgroundColor")


def test_a_claim_from_filing_to_payment(world: World, live_server: Any, new_page: Any, tmp_path: Path) -> None:
    g = make_guarantee(world)
    receive(world, g)
    kaijo = tmp_path / "解除通知書.pdf"
    kaijo.write_bytes(PDF)
    chosho = tmp_path / "既済部分検査調書.pdf"
    chosho.write_bytes(PDF)
    url = live_server.url

    orderer = new_page()
    login(orderer, live_server, "orderer", PASSWORD)
    orderer.goto(f"{url}/verify/certificates/{g.number}/")
    orderer.get_by_role("link", name="保証債務の履行請求").click()
    orderer.wait_for_load_state("networkidle")
    assert_accessible(orderer)
    orderer.get_by_label("契約解除日").fill((business_date() - dt.timedelta(days=3)).isoformat())
    orderer.get_by_label("受注者の債務不履行による発注者の契約解除").check()
    orderer.get_by_label("支払済の前払金（円）").fill("40,000,000")
    orderer.get_by_label("既済部分（出来形）の代価（円）").fill("15,000,000")
    orderer.get_by_label("解除通知書").set_input_files(str(kaijo))
    orderer.get_by_role("button", name="履行請求を送信する").click()
    orderer.wait_for_load_state("networkidle")
    claim = Claim.objects.get()
    assert orderer.url == f"{url}/verify/claims/{claim.number}/"
    assert "保証債務の履行請求を受け付けました" in orderer.inner_text("main")
    assert_accessible(orderer)

    clerk = new_page()
    login(clerk, live_server, "clerk", PASSWORD)
    clerk.goto(f"{url}/office/claims/")
    clerk.get_by_role("link", name=claim.number).click()
    clerk.wait_for_load_state("networkidle")
    assert "25,000,000" in clerk.inner_text("main")
    assert_accessible(clerk)
    clerk.get_by_label("依頼する資料と理由").fill("既済部分検査調書を添付してください。")
    clerk.get_by_role("button", name="追加資料を依頼する").click()
    clerk.wait_for_load_state("networkidle")

    orderer.reload()
    assert "追加資料依頼" in orderer.inner_text("main")
    assert "既済部分検査調書を添付してください。" in orderer.inner_text("main")
    # The state is a badge in the lists' colours: amber while the orderer is to act.
    assert badge_colours(orderer) == ("追加資料依頼", AMBER)
    orderer.get_by_label("既済部分検査調書").set_input_files(str(chosho))
    orderer.get_by_role("button", name="書類を送る").click()
    orderer.wait_for_load_state("networkidle")
    assert "書類を追加しました。" in orderer.inner_text("main")

    clerk.reload()
    clerk.get_by_label("審査による既済部分の代価（円）").fill("16,000,000")
    clerk.get_by_label("審査意見").fill("既済部分検査調書により確認。")
    clerk.get_by_role("button", name="審査を記録する").click()
    clerk.wait_for_load_state("networkidle")
    assert clerk.get_by_role("button", name="決定する").count() == 0  # the assessor does not decide

    approver = new_page()
    login(approver, live_server, "approver", PASSWORD)
    approver.goto(f"{url}/office/claims/{claim.number}/")
    assert_accessible(approver)
    approver.get_by_label("支払", exact=True).check()
    approver.get_by_label("決定の理由").fill("約款に基づき支払います。")
    approver.get_by_role("button", name="決定する").click()
    approver.wait_for_load_state("networkidle")
    assert "「支払決定」と決定しました。" in approver.inner_text("main")

    clerk.reload()
    clerk.get_by_label("支払日").fill(business_date().isoformat())
    clerk.get_by_role("button", name="支払を記録する").click()
    clerk.wait_for_load_state("networkidle")
    assert "保証履行済" in clerk.inner_text("main")
    claim.refresh_from_db()
    g.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.paid_amount == 24_000_000
    assert g.status == GuaranteeStatus.PAID_OUT

    orderer.reload()
    assert "支払済" in orderer.inner_text("main")
    assert badge_colours(orderer) == ("支払済", GREEN)
    orderer.goto(f"{url}/verify/certificates/{g.number}/")
    assert "保証履行済" in orderer.inner_text("main")

    contractor = new_page()
    login(contractor, live_server, "alice", PASSWORD)
    contractor.goto(f"{url}/contractor/claims/")
    contractor.get_by_role("link", name=claim.number).click()
    contractor.wait_for_load_state("networkidle")
    assert "支払済" in contractor.inner_text("main")
    assert_accessible(contractor)
