"""The back office's 前払金 pages in Chromium: a clerk checks a 使途変更, another approver accepts it,
the clerk stops the account with a reason; every page axe-clean, 1280 px wide without sideways scroll.

Set E2E_SHOTS_DIR=/some/dir to keep a screenshot of each page.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from esurety.advances.kinds import AccountStatus, StatementStatus
from esurety.advances.models import AdvanceAccount, UseStatement
from esurety.parties.models import Role
from tests.e2e.conftest import axe_violations, login
from tests.factories import PASSWORD, World, make_advance_world, make_user
from tests.office.advance_site import build_advance_office_pages

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 800}


def _build(world: World) -> dict[str, list[str]]:
    # In a thread of its own: Playwright keeps an event loop in this one and signing starts another.
    def build() -> dict[str, list[str]]:
        try:
            return build_advance_office_pages(make_advance_world(world))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(build).result()


def _look(page: Any, name: str, report: list[str]) -> None:
    shots = os.environ.get("E2E_SHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    report += [f"{name}: {v}" for v in axe_violations(page)]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > VIEWPORT["width"]:
        report.append(f"{name}: scrolls sideways ({width}px)")


def test_clerk_checks_another_approver_accepts_then_a_stop(world: World, live_server: Any, new_page: Any) -> None:
    pages = _build(world)
    report: list[str] = []
    clerk = new_page()
    clerk.set_viewport_size(VIEWPORT)
    login(clerk, live_server, world.clerk.username, PASSWORD)
    for i, path in enumerate(pages[world.clerk.username]):
        response = clerk.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        _look(clerk, f"clerk-{i:02d}", report)

    # The 使途変更 waiting in the queue: the clerk checks it.
    clerk.goto(live_server.url + "/office/advances/")
    clerk.get_by_role("link", name="◇◇橋梁補修工事").first.click()
    clerk.get_by_role("button", name="内容を確認した（確認済にする）").click()
    clerk.wait_for_load_state("networkidle")
    assert "確認済にしました" in clerk.inner_text("main")
    assert clerk.get_by_role("button", name="承認する").count() == 0
    _look(clerk, "statement-reviewed", report)

    # An approver other than the clerk accepts it.
    approver = new_page()
    approver.set_viewport_size(VIEWPORT)
    login(approver, live_server, make_user("approver-c", surety=world.surety, role=Role.APPROVER).username, PASSWORD)
    statement = UseStatement.objects.get(status=StatementStatus.REVIEWED)
    approver.goto(f"{live_server.url}/office/advances/statements/{statement.pk}/")
    approver.get_by_role("button", name="承認する").click()
    approver.wait_for_load_state("networkidle")
    assert "承認しました" in approver.inner_text("main")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ACCEPTED

    # The clerk stops the account: first without a reason (told beside the field), then with one.
    number = statement.account.guarantee.number
    clerk.goto(f"{live_server.url}/office/advances/accounts/{number}/")
    clerk.get_by_role("link", name="払出停止", exact=True).click()
    clerk.get_by_role("button", name="払出を停止する").click()
    clerk.wait_for_load_state("networkidle")
    assert "払出停止の理由を入力してください。" in clerk.inner_text("main")
    _look(clerk, "stop-error", report)
    clerk.get_by_label("払出停止の理由").fill("保証事故の報告があったため")
    clerk.get_by_role("button", name="払出を停止する").click()
    clerk.wait_for_load_state("networkidle")
    assert "払出停止中" in clerk.inner_text("main")
    assert AdvanceAccount.objects.get(guarantee__number=number).status == AccountStatus.STOPPED
    _look(clerk, "account-stopped", report)
    assert not clerk.js_errors and not approver.js_errors
    assert not report, "\n".join(report)
