"""The orderer's 管理者 changes where notices go (組織情報 → 部署と通知先) in Chromium; the pages pass axe."""

from __future__ import annotations

from typing import Any

from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Role
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, make_guarantee, make_user


def test_an_orderer_administrator_changes_a_department_address(world: World, live_server: Any, new_page: Any) -> None:
    surety_admin = make_user("west-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    make_guarantee(world)  # 西日本 serves this orderer: its 管理者 hears of the change
    admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)

    page.goto(live_server.url + "/verify/organisation/")
    page.get_by_role("link", name="部署と通知先を変更する").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    row = [d.name for d in world.orderer.departments.order_by("name")].index("工事担当課")
    page.locator(f"input[name='dept-{row}-email']").fill("koji-new@tokushima.example")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state("networkidle")
    assert "部署と通知先を保存しました。" in page.inner_text("body")
    history = page.inner_text("main")
    assert "変更の履歴" in history and "koji-new@tokushima.example" in history
    assert_accessible(page)
    assert OutboxMessage.objects.filter(template="orderer_departments_changed", to=[surety_admin.email]).exists()
    assert not page.js_errors
