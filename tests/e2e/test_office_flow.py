"""The back office in Chromium: a clerk and an approver take an application from 受付 to 契約締結,
then the clerk enters an amount change and the approver approves it (four eyes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from esurety.guarantees.models import AmendmentRequestStatus, ApplicationStatus, Guarantee
from esurety.parties.models import Role, User
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, make_user, submit_application

# Set to a directory to keep screenshots of each page (for looking at the layout).
SCREENSHOTS = os.environ.get("ESURETY_SCREENSHOTS_DIR", "")

pytestmark = [pytest.mark.e2e]


def test_review_conclude_and_amend_as_clerk_and_approver(world: World, live_server: Any, new_page: Any) -> None:
    app = submit_application(world)
    User.objects.filter(pk=world.clerk.pk).update(display_name="事務 一郎")
    User.objects.filter(pk=world.approver.pk).update(display_name="承認 花子")
    make_user("manager", surety=world.surety, role=Role.BRANCH_MANAGER)
    shots = Path(SCREENSHOTS) if SCREENSHOTS else None
    page_errors: list[str] = []

    def login_as(username: str) -> Any:
        page = new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        login(page, live_server, username, PASSWORD)
        assert page.url == live_server.url + "/office/home/"
        page.goto(live_server.url + "/office/")  # the queue, where this flow works
        return page

    def look(page: Any, name: str) -> None:
        """Every main page passes axe (WCAG 2.1 AA); with ESURETY_SCREENSHOTS_DIR set, keep a screenshot."""
        assert_accessible(page)
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    def flash(page: Any) -> str:
        page.wait_for_load_state("load")
        return str(page.locator(".messages").inner_text())

    clerk = login_as("clerk")
    approver = login_as("approver")

    # The clerk finds the application in the queue (受付 tab) and starts the review.
    clerk.get_by_role("link", name="受付 1").click()
    look(clerk, "queue")
    clerk.get_by_role("link", name="〇〇道路改良工事").click()
    clerk.wait_for_url(f"**/office/applications/{app.pk}/")
    assert "問題なし" in clerk.inner_text("main")
    assert clerk.get_by_role("button", name="承認").count() == 0  # a clerk cannot approve
    clerk.get_by_role("button", name="審査開始").click()
    assert "審査を開始しました。" in flash(clerk)

    # The approver approves: the premium is fixed.
    approver.goto(f"{live_server.url}/office/applications/{app.pk}/")
    approver.get_by_role("button", name="承認", exact=True).click()
    assert "承認しました" in flash(approver)
    assert "（承認時に確定・非課税）" in approver.inner_text("main")
    look(approver, "application")

    # The clerk confirms the payment and concludes: certificate version 1 and the key.
    clerk.reload()
    clerk.get_by_label("入金日").fill("2026-04-16")
    clerk.get_by_role("button", name="入金確認").click()
    assert "入金を確認しました" in flash(clerk)
    clerk.get_by_role("button", name="契約締結（電子証書・認証キーを発行）").click()
    assert "契約を締結しました" in flash(clerk)
    clerk.locator(".lc-panel--ok a").click()
    clerk.wait_for_url("**/office/guarantees/*/")
    number = clerk.url.rstrip("/").rsplit("/", 1)[-1]
    assert "第1版" in clerk.locator("#certificate-heading").inner_text()

    # The clerk enters an amount change; the new price's limit is checked at once.
    clerk.locator(".lc-actions").get_by_role("link", name="変更申請").click()
    clerk.get_by_label("工期の変更（工事末日）— 保証期間が変わり、証書は発行しない").check()
    assert clerk.locator("#amount-fields").is_hidden() and clerk.locator("#period-fields").is_visible()
    clerk.get_by_label("金額の変更（請負金額・保証金額）— 変更の保証証書を発行").check()
    assert clerk.locator("#period-fields").is_hidden()
    clerk.get_by_label("変更後の請負金額(総額)").fill("80,000,000")
    clerk.get_by_label("変更日（変更契約の締結日）").fill("2026-04-18")
    clerk.get_by_label("変更理由").fill("設計変更による増額")
    clerk.get_by_role("button", name="変更申請を登録する").click()
    clerk.wait_for_load_state("networkidle")
    assert "32,000,000円以下にしてください" in clerk.inner_text("main")
    look(clerk, "amend_error")
    clerk.get_by_label("変更後の請負金額(総額)").fill("120,000,000")
    clerk.get_by_label("変更後の保証金額").fill("48,000,000")
    clerk.get_by_role("button", name="変更申請を登録する").click()
    clerk.wait_for_load_state("networkidle")
    assert "変更申請を登録しました" in flash(clerk)
    assert "ご自身が入力した変更申請は承認できません" in clerk.inner_text("#pending-request")
    assert clerk.get_by_role("button", name="変更を承認する").count() == 0

    # The approver approves the change: version 2, labelled (変更).
    approver.goto(f"{live_server.url}/office/amendments/")
    look(approver, "amendments")
    approver.get_by_role("link", name=number).click()
    approver.get_by_role("button", name="変更を承認する").click()
    assert "変更を承認しました" in flash(approver)
    heading = approver.locator("#certificate-title").inner_text()
    assert "(変更)" in heading
    assert "第2版" in approver.locator("#certificate-heading").inner_text()
    assert "48,000,000 円" in approver.locator(".certificate").inner_text()
    look(approver, "guarantee")

    approver.goto(f"{live_server.url}/office/guarantees/")
    look(approver, "guarantee_list")
    approver.goto(f"{live_server.url}/office/premium-rates/")
    look(approver, "premium_rates")
    approver.goto(f"{live_server.url}/office/orderers/{world.orderer.pk}/")
    look(approver, "orderer")
    manager = login_as("manager")
    manager.goto(f"{live_server.url}/office/orderers/{world.orderer.pk}/edit/")
    look(manager, "orderer_edit")

    assert page_errors == []
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CONCLUDED
    g = Guarantee.objects.get(number=number)
    assert (g.current_version, g.guaranteed_amount, g.is_amended) == (2, 48_000_000, True)
    request = g.amendment_requests.get()
    assert (request.status, request.entered_by, request.decided_by) == (
        AmendmentRequestStatus.APPROVED,
        world.clerk,
        world.approver,
    )
