"""A bank branch's 前払金 desk in Chromium: it finds the waiting requests, pays one with the payment
date, returns one with a reason, saves the list as CSV; each page passes axe."""

from __future__ import annotations

from typing import Any

from esurety.advances.kinds import WithdrawalStatus
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, ready_account, request


def test_the_branch_pays_one_request_and_returns_another(world: World, live_server: Any, new_page: Any) -> None:
    aw = ready_account(world)
    paying = request(aw, line_no=1, amount=4_000_000)
    returning = request(aw, line_no=2, amount=2_500_000)
    page = new_page()
    login(page, live_server, aw.bank_user.username, PASSWORD)
    assert page.url == live_server.url + "/bank/"
    assert_accessible(page)

    page.get_by_label("状態").select_option("REQUESTED")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_load_state("networkidle")
    assert "2件中 1 - 2件" in page.inner_text("main")

    page.get_by_role("link", name=paying.number).click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    main = page.inner_text("main")
    assert "株式会社△△資材" in main and "15,000,000円" in main and "11,000,000円" in main
    page.get_by_role("button", name="払出済にする").click()
    page.wait_for_load_state("networkidle")
    assert "払出済にしました" in page.inner_text("body")
    assert_accessible(page)

    page.goto(live_server.url + f"/bank/withdrawals/{returning.pk}/")
    page.get_by_role("button", name="差戻す").click()
    page.wait_for_load_state("networkidle")
    assert "差戻しの理由を入力してください。" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("差戻しの理由（保証契約者に表示されます）").fill("振込先の口座名義が請求書と一致しません。")
    page.get_by_role("button", name="差戻す").click()
    page.wait_for_load_state("networkidle")
    assert "差戻しました" in page.inner_text("body")

    paying.refresh_from_db()
    returning.refresh_from_db()
    assert paying.status == WithdrawalStatus.PAID and paying.paid_on is not None
    assert returning.status == WithdrawalStatus.RETURNED

    page.goto(live_server.url + "/bank/")
    page.get_by_label("CSVの文字コード").select_option("cp932")
    with page.expect_download() as download:
        page.get_by_role("button", name="この条件の一覧をCSVで保存").click()
    text = open(download.value.path(), "rb").read().decode("cp932")
    assert paying.number in text and returning.number in text and "振込先の口座名義" in text

    page.goto(live_server.url + f"/bank/accounts/{aw.guarantee.number}/")
    assert_accessible(page)
    assert not page.js_errors
