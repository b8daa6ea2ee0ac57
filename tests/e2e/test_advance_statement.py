"""前払金使途内訳明細書 in Chromium: the contractor enters the lines, sees each rule beside its line,
attaches a proof, submits; the account page shows it waiting for the surety; axe finds nothing."""

from __future__ import annotations

from typing import Any

from django.test import Client

from esurety.advances.kinds import StatementStatus
from esurety.advances.models import UseStatement
from tests.e2e.conftest import assert_accessible
from tests.factories import PDF, World, make_advance_world


def _follow(page: Any, target: Any) -> None:
    """Click a link or a submit button and wait for the page it leads to: a bare click returns
    once the navigation starts, and reading the page then can see an empty document."""
    with page.expect_navigation():
        target.click()


def test_enter_correct_attach_and_submit_a_statement(
    world: World, live_server: Any, new_page: Any, tmp_path: Any
) -> None:
    aw = make_advance_world(world)
    client = Client()
    client.force_login(world.contractor_user)
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + f"/contractor/guarantees/{aw.guarantee.number}/")
    _follow(page, page.get_by_role("link", name="前払金使途内訳明細書・払出依頼書へ"))
    _follow(page, page.get_by_role("link", name="明細書を作成する"))
    assert_accessible(page)

    def fill(row: int, category: str, payee: str, amount: str) -> None:
        page.get_by_label(f"{row}行目の使途").select_option(label=category)
        page.get_by_label(f"{row}行目の支払先").fill(payee)
        page.get_by_label(f"{row}行目の金額").fill(amount)
        page.get_by_label(f"{row}行目の支払予定日").fill("2026-06-30")
        page.get_by_label(f"{row}行目の払出方法").select_option(label="振込")

    fill(1, "材料費", "株式会社△△資材", "30,000,000")
    fill(2, "労務費", "自社（直用）", "９，９９９，９９９")
    _follow(page, page.get_by_role("button", name="保存して提出する"))
    alert = page.get_by_role("alert").first
    assert "あと1円不足しています" in page.content()
    assert alert.is_visible()
    row1 = page.locator("tbody tr").first
    assert "いずれかを添付してください" in row1.inner_text()  # the 材料費 line's proof, beside it
    assert_accessible(page)

    page.get_by_label("2行目の金額").fill("10,000,000")
    _follow(page, page.get_by_role("button", name="下書き保存"))
    proof = tmp_path / "請求書.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("使途内訳の行").select_option(index=1)
    page.get_by_label("書類の種類").select_option(label="請求書")
    page.get_by_label("ファイル（PDF・JPEG・PNG）").set_input_files(str(proof))
    _follow(page, page.get_by_role("button", name="書類を添付する"))
    assert "請求書.pdf" in page.content()
    _follow(page, page.get_by_role("button", name="保存して提出する"))
    assert "提出しました" in page.content()
    assert UseStatement.objects.get(account=aw.account).status == StatementStatus.SUBMITTED
    _follow(page, page.get_by_role("link", name="前払金の使途").last)
    assert "保証会社が内容を確認しています" in page.content()
    assert_accessible(page)
