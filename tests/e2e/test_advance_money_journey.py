"""The advance money from the statement to the bank counter, in Chromium, with four people:
the contractor submits a 前払金使途内訳明細書 with its proof, a clerk checks it and another
approver accepts it, the bank branch books the advance, the contractor asks for two 払出, the
bank pays one and returns the other with a reason, and the contractor sees what is left of each
use line and each request's state. axe finds nothing on any page visited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from esurety.advances.kinds import StatementStatus, WithdrawalStatus
from esurety.advances.models import UseStatement, Withdrawal
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, PDF, World, make_advance_world

RETURN_REASON = "振込先の口座名義が請求書と一致しません。"


def _submit(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def _contractor_submits_the_statement(page: Any, base: str, number: str, tmp_path: Any, planned: str) -> None:
    page.goto(f"{base}/contractor/guarantees/{number}/")
    page.get_by_role("link", name="前払金使途内訳明細書・払出依頼書へ").click()
    _submit(page)
    page.get_by_role("link", name="明細書を作成する").click()
    _submit(page)

    def fill(row: int, category: str, payee: str, amount: str) -> None:
        page.get_by_label(f"{row}行目の使途").select_option(label=category)
        page.get_by_label(f"{row}行目の支払先").fill(payee)
        page.get_by_label(f"{row}行目の金額").fill(amount)
        page.get_by_label(f"{row}行目の支払予定日").fill(planned)
        page.get_by_label(f"{row}行目の払出方法").select_option(label="振込")

    fill(1, "材料費", "株式会社△△資材", "30,000,000")
    fill(2, "労務費", "自社（直用）", "10,000,000")
    # Without the 材料費 line's proof the statement is not accepted for submission.
    page.get_by_role("button", name="保存して提出する").click()
    _submit(page)
    assert "いずれかを添付してください" in page.locator("tbody tr").first.inner_text()

    proof = tmp_path / "請求書.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("使途内訳の行").select_option(index=1)
    page.get_by_label("書類の種類").select_option(label="請求書")
    page.get_by_label("ファイル（PDF・JPEG・PNG）").set_input_files(str(proof))
    page.get_by_role("button", name="書類を添付する").click()
    _submit(page)
    assert "請求書.pdf" in page.content()
    page.get_by_role("button", name="保存して提出する").click()
    _submit(page)
    assert "提出しました" in page.content()


def _request(page: Any, base: str, number: str, *, left: str, amount: str, desired: str, new: bool) -> None:
    page.goto(f"{base}/contractor/guarantees/{number}/advance/")
    page.get_by_role("link", name="払出依頼書を作成する").click()
    _submit(page)
    page.get_by_label("使途内訳の行").select_option(label="行1 材料費 株式会社△△資材（残額 " + left + "円）")
    if new:
        page.get_by_label("支払先必須", exact=True).select_option("new")
        page.get_by_label("支払先名").fill("株式会社△△資材")
        page.get_by_label("金融機関名").fill("□□信用金庫")
        page.get_by_label("金融機関コード").fill("1234")
        page.get_by_label("支店名").fill("本店")
        page.get_by_label("支店コード").fill("001")
        page.get_by_label("預金種目").select_option(label="普通")
        page.get_by_label("口座番号").fill("7654321")
        page.get_by_label("口座名義（カナ）").fill("カ)サンカクシザイ")
        page.get_by_label("この支払先を支払先台帳に登録する").check()
    else:
        # The payee saved with the first request, picked from the book.
        page.get_by_label("支払先必須", exact=True).select_option(label="株式会社△△資材（□□信用金庫 本店）")
    page.get_by_label("金額").fill(amount)
    page.get_by_label("払出希望日").fill(desired)
    page.get_by_role("button", name="払出を依頼する").click()
    _submit(page)


def test_statement_accepted_two_requests_one_paid_one_returned(
    world: World, live_server: Any, new_page: Any, tmp_path: Any
) -> None:
    aw = make_advance_world(world)
    number, base = aw.guarantee.number, live_server.url
    today = timezone.localdate()
    later = (today + dt.timedelta(days=14)).isoformat()

    # 1. The contractor enters the statement, attaches the proof the 材料費 line needs, submits.
    contractor = new_page()
    login(contractor, live_server, world.contractor_user.username, PASSWORD)
    _contractor_submits_the_statement(contractor, base, number, tmp_path, later)
    statement = UseStatement.objects.get(account=aw.account)
    assert statement.status == StatementStatus.SUBMITTED

    # 2. A clerk checks it from the queue; a clerk cannot also accept it (four eyes).
    clerk = new_page()
    login(clerk, live_server, world.clerk.username, PASSWORD)
    clerk.goto(f"{base}/office/advances/")
    _submit(clerk)
    clerk.get_by_role("link", name="〇〇道路改良工事").first.click()
    _submit(clerk)
    clerk.get_by_role("button", name="内容を確認した（確認済にする）").click()
    _submit(clerk)
    assert "確認済にしました" in clerk.inner_text("main")
    assert clerk.get_by_role("button", name="承認する").count() == 0

    # 3. Another approver accepts it.
    approver = new_page()
    login(approver, live_server, world.approver.username, PASSWORD)
    approver.goto(f"{base}/office/advances/statements/{statement.pk}/")
    _submit(approver)
    approver.get_by_role("button", name="承認する").click()
    _submit(approver)
    assert "承認しました" in approver.inner_text("main")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.ACCEPTED

    # 4. The bank branch books the 40,000,000円 the orderer paid in.
    bank = new_page()
    login(bank, live_server, aw.bank_user.username, PASSWORD)
    assert bank.url == base + "/bank/"
    _submit(bank)
    bank.goto(f"{base}/bank/accounts/{number}/")
    _submit(bank)
    bank.get_by_label("種類").select_option(label="前払金")
    bank.get_by_label("金額（円）").fill("40,000,000")
    bank.get_by_label("入金日").fill(today.isoformat())
    bank.get_by_role("button", name="入金を記録する").click()
    _submit(bank)
    assert "40,000,000円 を記録しました" in bank.inner_text("body")

    # 5. The contractor asks for two 払出 against the 材料費 line: a new payee, then from the book.
    _request(contractor, base, number, left="30,000,000", amount="4,000,000", desired=later, new=True)
    _request(contractor, base, number, left="26,000,000", amount="2,500,000", desired=later, new=False)
    paying, returning = Withdrawal.objects.filter(account=aw.account).order_by("pk")
    assert (paying.amount, returning.amount) == (4_000_000, 2_500_000)
    assert {paying.status, returning.status} == {WithdrawalStatus.REQUESTED}

    # 6. The bank finds them waiting, pays one and returns the other with a reason.
    bank.goto(f"{base}/bank/")
    bank.get_by_label("状態").select_option("REQUESTED")
    bank.get_by_role("button", name="絞り込む").click()
    _submit(bank)
    assert "2件中 1 - 2件" in bank.inner_text("main")
    bank.get_by_role("link", name=paying.number).click()
    _submit(bank)
    bank.get_by_role("button", name="払出済にする").click()
    _submit(bank)
    assert "払出済にしました" in bank.inner_text("body")
    bank.goto(f"{base}/bank/withdrawals/{returning.pk}/")
    _submit(bank)
    bank.get_by_label("差戻しの理由（保証契約者に表示されます）").fill(RETURN_REASON)
    bank.get_by_role("button", name="差戻す").click()
    _submit(bank)
    assert "差戻しました" in bank.inner_text("body")
    paying.refresh_from_db()
    returning.refresh_from_db()
    assert paying.status == WithdrawalStatus.PAID and paying.paid_on is not None
    assert returning.status == WithdrawalStatus.RETURNED

    # 7. The contractor sees each line's paid and left, and both requests' states with the reason.
    contractor.goto(f"{base}/contractor/guarantees/{number}/advance/")
    _submit(contractor)
    lines = contractor.locator("table.adv-lines tbody tr")
    materials, labour = lines.nth(0).inner_text(), lines.nth(1).inner_text()
    # 材料費: 30,000,000 planned, 4,000,000 paid, nothing waiting (the returned one frees its money).
    assert "30,000,000円\t4,000,000円\t0円\t26,000,000円" in materials
    assert "10,000,000円\t0円\t0円\t10,000,000円" in labour
    rows = contractor.locator("table.adv-withdrawals tbody tr")
    paid_row = rows.filter(has_text=paying.number).inner_text()
    returned_row = rows.filter(has_text=returning.number).inner_text()
    assert "払出済" in paid_row and "4,000,000円" in paid_row
    assert "差戻し" in returned_row and RETURN_REASON in returned_row

    contractor.goto(f"{base}/contractor/advances/withdrawals/?status=RETURNED")
    _submit(contractor)
    assert returning.number in contractor.inner_text("main") and paying.number not in contractor.inner_text("main")
    for page in (contractor, clerk, approver, bank):
        assert not page.js_errors
