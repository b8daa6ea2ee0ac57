"""前払金の使途 in the contractor portal: the account, the statement (rules beside their fields), proofs,
submission, 差戻し, 使途変更, versions; requests one at a time; the payee book."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from esurety.advances import services as advances
from esurety.advances.kinds import StatementStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount, OverheadAllowance, Payee, ProofDocument, UseStatement, Withdrawal
from esurety.core.clock import business_date
from esurety.core.kinds import GuaranteeKind
from tests.advances.test_withdrawal_csv import csv_of
from tests.advances.test_withdrawal_csv import row as csv_row
from tests.contractor.portal import client_for, tables, visible_text
from tests.factories import (
    ADVANCE_NOW,
    PDF,
    AdvanceWorld,
    World,
    accept_statement,
    amend_amount,
    deposit_advance,
    make_advance_world,
    make_guarantee,
    ready_account,
    request,
    submit_statement,
)


def _url(aw: AdvanceWorld, rest: str = "") -> str:
    return f"/contractor/guarantees/{aw.guarantee.number}/advance/{rest}"


def _line_post(rows: list[dict[str, str]], *, extra: int = 0, **more: str) -> dict[str, str]:
    data = {
        "lines-TOTAL_FORMS": str(len(rows) + extra),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        **more,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def _row(category: str, amount: str, payee: str = "株式会社△△資材", method: str = "TRANSFER") -> dict[str, str]:
    return {"category": category, "payee_name": payee, "amount": amount, "planned_on": "2026-06-30", "method": method}


def test_the_certificate_of_an_advance_leads_to_its_account(world: World) -> None:
    aw = make_advance_world(world)
    html = client_for(world.contractor_user).get(f"/contractor/guarantees/{aw.guarantee.number}/").content.decode()
    assert "前払金の使途" in html and _url(aw) in html
    # A guarantee without an account yet: the section offers the registration.
    other = make_guarantee(world, work_name="口座未登録の工事")
    page = client_for(world.contractor_user).get(f"/contractor/guarantees/{other.number}/").content.decode()
    assert "前払金専用口座を登録する" in page


def test_register_the_account_with_messages_beside_the_fields(world: World) -> None:
    aw = make_advance_world(world)
    g = make_guarantee(world, work_name="口座未登録の工事")
    client = client_for(world.contractor_user)
    url = f"/contractor/guarantees/{g.number}/advance/"
    page = client.get(url)
    assert page.status_code == 200 and "〇〇銀行 ▲▲支店" in page.content.decode()
    bad = client.post(
        url,
        {
            "bank_branch": aw.bank_branch.pk,
            "account_type": "ORDINARY",
            "account_number": "12a",
            "holder_kana": "まるまる",
        },
    )
    assert bad.status_code == 400
    text = visible_text(bad.content.decode())
    assert "口座番号は7桁以内の数字で入力してください。" in text and "口座名義はカナ" in text
    assert not AdvanceAccount.objects.filter(guarantee=g).exists()
    ok = client.post(
        url,
        {
            "bank_branch": aw.bank_branch.pk,
            "account_type": "ORDINARY",
            "account_number": "７６５４３２",
            "holder_kana": "ｶ)ﾏﾙﾏﾙｹﾝｾﾂ",
        },
    )
    assert ok.status_code == 302
    account = AdvanceAccount.objects.get(guarantee=g)
    assert account.account_number == "0765432" and account.holder_kana == "カ)マルマルケンセツ"


def test_write_a_statement_see_each_rule_beside_its_line_then_submit(world: World) -> None:
    aw = make_advance_world(world)
    client = client_for(world.contractor_user)
    assert client.get(_url(aw, "statement/")).status_code == 200
    # One yen short of the advance, 現場管理費等 where the orderer does not allow it.
    rows = [
        _row("MATERIALS", "20,000,000"),
        _row("LABOUR", "１９，９９９，９９９", payee="自社（直用）"),
        _row("OVERHEAD", "0", payee=""),
    ]
    saved = client.post(_url(aw, "statement/"), _line_post(rows, extra=1))
    assert saved.status_code == 400
    assert "金額は1円以上で入力してください。" in visible_text(saved.content.decode())
    assert not UseStatement.objects.filter(account=aw.account).exists()

    rows[2] = _row("OVERHEAD", "1", payee="")
    saved = client.post(_url(aw, "statement/"), _line_post(rows, extra=1))
    assert saved.status_code == 302
    st = UseStatement.objects.get(account=aw.account)
    assert st.status == StatementStatus.DRAFT and st.lines.count() == 3
    assert st.lines.get(category="OVERHEAD").payee_name == ""  # 未定

    submitted = client.post(_url(aw, "statement/"), _line_post(rows, submit="1"))
    assert submitted.status_code == 400
    text = visible_text(submitted.content.decode())
    assert "内訳の合計（40,000,000円）" not in text
    assert "認められていません" in text  # the orderer does not allow 現場管理費等
    assert "注文請書・納品書・請求書・見積書のいずれかを添付してください" in text  # 材料費 without a proof
    st.refresh_from_db()
    assert st.status == StatementStatus.DRAFT

    # Fix it: 40,000,000円 exactly, a proof for the named 材料費 line.
    rows = [_row("MATERIALS", "20,000,000"), _row("LABOUR", "20,000,000", payee="自社（直用）")]
    assert client.post(_url(aw, "statement/"), _line_post(rows)).status_code == 302
    line_no = UseStatement.objects.get(account=aw.account).lines.get(category="MATERIALS").line_no
    upload = client.post(
        _url(aw, "proofs/"),
        {"line_no": line_no, "kind": "INVOICE", "file": SimpleUploadedFile("請求書.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 302
    fake = client.post(
        _url(aw, "proofs/"),
        {
            "line_no": line_no,
            "kind": "INVOICE",
            "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf"),
        },
    )
    assert fake.status_code == 400 and "PDF・JPEG・PNGのファイルを添付してください。" in fake.content.decode()
    assert ProofDocument.objects.filter(statement__account=aw.account).count() == 1

    # The page posts each saved line with its number (hidden), which keeps its proofs with it.
    numbered = [
        {**row, "line_no": str(x.line_no)}
        for row, x in zip(rows, UseStatement.objects.get(account=aw.account).lines.all(), strict=True)
    ]
    done = client.post(_url(aw, "statement/"), _line_post(numbered, submit="1"))
    assert done.status_code == 302
    st = UseStatement.objects.get(account=aw.account)
    assert st.status == StatementStatus.SUBMITTED
    detail = client.get(_url(aw, f"statement/{st.version}/")).content.decode()
    assert "提出済" in detail and "請求書（請求書.pdf）" in visible_text(detail)
    # Submitted: the editor sends the contractor to the read-only version.
    assert client.get(_url(aw, "statement/")).status_code == 302


def test_a_returned_statement_shows_the_reason_and_can_be_corrected(world: World) -> None:
    aw = make_advance_world(world)
    st = submit_statement(aw)
    advances.use_statement_return(
        statement=st, by=world.clerk, reason="外注費の下請契約書の日付が読めません。", now=ADVANCE_NOW
    )
    client = client_for(world.contractor_user)
    home = visible_text(client.get(_url(aw)).content.decode())
    assert "差し戻されました" in home and "外注費の下請契約書の日付が読めません。" in home
    edit = client.get(_url(aw, "statement/"))
    assert edit.status_code == 200 and "外注費の下請契約書の日付が読めません。" in edit.content.decode()


def test_change_of_use_makes_a_new_version_and_the_old_stays_readable(world: World) -> None:
    aw = ready_account(world)
    client = client_for(world.contractor_user)
    empty = client.post(_url(aw, "change/"), {"change_reason": ""})
    assert empty.status_code == 400 and "使途変更の理由を入力してください。" in empty.content.decode()
    assert client.post(_url(aw, "change/"), {"change_reason": "材料の調達先が決まったため"}).status_code == 302
    v2 = UseStatement.objects.get(account=aw.account, version=2)
    assert v2.status == StatementStatus.DRAFT and v2.change_reason == "材料の調達先が決まったため"
    page = client.get(_url(aw, "statement/")).content.decode()
    assert "第2版" in page and "使途変更の理由" in page
    v1 = client.get(_url(aw, "statement/1/"))
    assert v1.status_code == 200 and "承認済" in v1.content.decode()


def test_the_account_per_use_line_and_each_requests_state(world: World) -> None:
    aw = ready_account(world)
    paid = request(aw, amount=3_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    returned = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=returned, by=aw.bank_user, reason="口座名義が一致しません。", now=ADVANCE_NOW)
    request(aw, amount=1_000_000)
    html = client_for(world.contractor_user).get(_url(aw)).content.decode()
    lines = next(t for t in tables(html) if t["head"] and "残額" in t["head"][0] and "予定額" in t["head"][0])
    first = lines["body"][0]
    assert first[:7] == ["1", "材料費", "株式会社△△資材", "15,000,000円", "3,000,000円", "1,000,000円", "11,000,000円"]
    undecided = lines["body"][3]
    assert undecided[2] == "未定" and "使途変更が必要" in undecided[-1]
    text = visible_text(html)
    assert "払出済" in text and "依頼中" in text and "口座名義が一致しません。" in text


def test_one_request_beside_its_fields_then_made(world: World) -> None:
    aw = ready_account(world)
    client = client_for(world.contractor_user)
    assert client.get(_url(aw, "withdrawals/new/")).status_code == 200
    today = business_date()
    over = {
        "line_no": "1",
        "payee_choice": "new",
        "payee_name": "株式会社△△資材",
        "payee_bank_name": "□□信用金庫",
        "payee_branch_name": "本店",
        "payee_account_type": "ORDINARY",
        "payee_account_number": "7654321",
        "payee_holder_kana": "ｶ)ｻﾝｶｸｼｻﾞｲ",
        "amount": "15,000,001",
        "desired_on": today.isoformat(),
        "save_payee": "on",
    }
    bad = client.post(_url(aw, "withdrawals/new/"), over)
    assert bad.status_code == 400
    assert "残額 15,000,000円 を超えています（1円超過" in visible_text(bad.content.decode())
    assert not Withdrawal.objects.exists()
    undecided = client.post(_url(aw, "withdrawals/new/"), {**over, "line_no": "4", "amount": "1"})
    assert undecided.status_code == 400 and "支払先が未定のため払出できません" in undecided.content.decode()
    ok = client.post(_url(aw, "withdrawals/new/"), {**over, "amount": "15,000,000"})
    assert ok.status_code == 302
    w = Withdrawal.objects.get()
    assert (
        w.status == WithdrawalStatus.REQUESTED and w.amount == 15_000_000 and w.payee_holder_kana == "カ)サンカクシザイ"
    )
    # Saved to the book, and reused from it.
    payee = Payee.objects.get(contractor=world.contractor)
    again = client.post(
        _url(aw, "withdrawals/new/"),
        {"line_no": "2", "payee_choice": str(payee.pk), "amount": "100", "desired_on": today.isoformat()},
    )
    assert again.status_code == 302 and Withdrawal.objects.filter(payee_name="株式会社△△資材").count() == 2


def test_requests_are_closed_while_the_account_is_stopped(world: World) -> None:
    aw = ready_account(world)
    advances.account_stop(account=aw.account, by=world.approver, reason="保証事故の調査のため", now=ADVANCE_NOW)
    client = client_for(world.contractor_user)
    page = client.get(_url(aw, "withdrawals/new/")).content.decode()
    assert "払出停止中" in page and "保証事故の調査のため" in page
    before = Withdrawal.objects.count()
    today = business_date().isoformat()
    post = {"line_no": "3", "payee_choice": "new", "payee_name": "自社（直用）", "amount": "1", "desired_on": today}
    response = client.post(_url(aw, "withdrawals/new/"), post)
    assert response.status_code == 400 and Withdrawal.objects.count() == before


def test_the_payee_book(world: World) -> None:
    client = client_for(world.contractor_user)
    assert client.get("/contractor/advances/payees/").status_code == 200
    bad = client.post(
        "/contractor/advances/payees/", {"name": "株式会社△△資材", "bank_name": "□□信用金庫", "account_number": "12"}
    )
    assert bad.status_code == 400
    text = visible_text(bad.content.decode())
    assert "振込先の支店名を入力してください。" in text and "預金種目（普通・当座・貯蓄）を選んでください。" in text
    good = {
        "name": "株式会社△△資材",
        "bank_name": "□□信用金庫",
        "bank_code": "1234",
        "branch_name": "本店",
        "branch_code": "001",
        "account_type": "ORDINARY",
        "account_number": "7654321",
        "holder_kana": "ｶ)ｻﾝｶｸｼｻﾞｲ",
    }
    assert client.post("/contractor/advances/payees/", good).status_code == 302
    p = Payee.objects.get()
    assert client.get(f"/contractor/advances/payees/{p.pk}/").status_code == 200
    assert client.post(f"/contractor/advances/payees/{p.pk}/", {**good, "branch_name": "駅前支店"}).status_code == 302
    p.refresh_from_db()
    assert p.branch_name == "駅前支店"
    assert client.post(f"/contractor/advances/payees/{p.pk}/remove/").status_code == 302
    p.refresh_from_db()
    assert not p.is_active
    assert "登録済みの支払先はありません。" in client.get("/contractor/advances/payees/").content.decode()


def test_the_list_of_advance_accounts(world: World) -> None:
    aw = make_advance_world(world)
    waiting = make_guarantee(world, work_name="口座未登録の工事")
    html = client_for(world.contractor_user).get("/contractor/advances/").content.decode()
    assert aw.guarantee.number in html and waiting.number in html and "口座を登録する" in html


def test_the_version_in_force_and_a_deposit_show_the_balance(world: World) -> None:
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw, amount=30_000_000)
    text = visible_text(client_for(world.contractor_user).get(_url(aw)).content.decode())
    assert "前払金の入金 30,000,000円" in text and "前払金残高 30,000,000円" in text
    assert dt.date.today().year > 2000


def test_every_request_of_the_company_by_state(world: World) -> None:
    aw = ready_account(world)
    paid = request(aw, amount=3_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    returned = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=returned, by=aw.bank_user, reason="口座名義が一致しません。", now=ADVANCE_NOW)
    waiting = request(aw, amount=1_000_000)
    client = client_for(world.contractor_user)
    every = visible_text(client.get("/contractor/advances/withdrawals/").content.decode())
    assert all(w.number in every for w in (paid, returned, waiting))
    only = visible_text(client.get("/contractor/advances/withdrawals/?status=RETURNED").content.decode())
    assert returned.number in only and "口座名義が一致しません。" in only and paid.number not in only
    # Another company's list does not show them; a made-up state lists everything of one's own.
    theirs = client_for(world.other_contractor_user).get("/contractor/advances/withdrawals/?status=x").content.decode()
    assert paid.number not in theirs and "払出依頼書はありません。" in theirs


def _submit_rows(aw: AdvanceWorld, rows: list[dict[str, str]]) -> str:
    response = client_for(aw.world.contractor_user).post(_url(aw, "statement/"), _line_post(rows, submit="1"))
    assert response.status_code in (302, 400)
    return "" if response.status_code == 302 else visible_text(response.content.decode())


def test_overhead_at_exactly_25_100_and_one_yen_over_beside_its_amount(world: World) -> None:
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2020, 4, 1), contract_article="工事請負契約書第34条第5項"
    )
    aw = make_advance_world(world)
    over = _submit_rows(
        aw, [_row("OVERHEAD", "10,000,001", payee="自社"), _row("LABOUR", "29,999,999", payee="自社（直用）")]
    )
    # The share as the orderer's contract states it, not reduced to 1/4.
    assert (
        "現場管理費・一般管理費等は前払金の100分の25の10,000,000円以内にしてください"
        "（工事請負契約書第34条第5項。現在 10,000,001円、1円超過）。" in over
    )
    assert UseStatement.objects.get(account=aw.account).status == StatementStatus.DRAFT
    # The page posts the saved lines with their numbers.
    lines = UseStatement.objects.get(account=aw.account).lines.all()
    exact = [
        {**_row("OVERHEAD", "10,000,000", payee="自社"), "line_no": str(lines[0].line_no)},
        {**_row("LABOUR", "30,000,000", payee="自社（直用）"), "line_no": str(lines[1].line_no)},
    ]
    assert _submit_rows(aw, exact) == ""
    assert UseStatement.objects.get(account=aw.account).status == StatementStatus.SUBMITTED


def test_no_overhead_from_an_interim_advance(world: World) -> None:
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2020, 4, 1), contract_article="第34条"
    )
    aw = make_advance_world(world, kind=GuaranteeKind.INTERIM_ADVANCE)
    text = _submit_rows(aw, [_row("OVERHEAD", "1", payee="自社"), _row("LABOUR", "19,999,999", payee="自社（直用）")])
    assert "中間前払金は現場管理費・一般管理費等に充てることはできません。" in text


def test_an_amount_change_asks_for_a_new_statement(world: World) -> None:
    aw = ready_account(world)
    amend_amount(
        guarantee=aw.guarantee,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=ADVANCE_NOW,
    )
    text = visible_text(client_for(world.contractor_user).get(_url(aw)).content.decode())
    assert "保証金額が変更されました（40,000,000円 → 44,000,000円）" in text and "使途変更を始める" in text


def test_one_upload_names_the_unreadable_lines_and_the_rule_errors_of_the_readable_ones(world: World) -> None:
    aw = ready_account(world)
    client = client_for(world.contractor_user)
    # Line 2: no amount a person could mean; line 3: one yen over what is left of 材料費 (15,000,000円).
    content = csv_of(csv_row("1", "abc"), csv_row("1", '"15,000,001"'), csv_row("2", "1"))
    response = client.post(
        _url(aw, "withdrawals/upload/"), {"file": SimpleUploadedFile("irai.csv", content, "text/csv")}
    )
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    assert "金額" in text and "1円超過" in text  # both kinds of error in the same answer
    assert not Withdrawal.objects.filter(account=aw.account).exists()


def test_text_too_long_is_refused_in_the_products_words(world: World) -> None:
    """A name or a reason over its limit: 「支払先名は100文字以内で入力してください。」 beside the field,
    not Django's 「この値は 100 文字以下でなければなりません( 3000 文字になっています)。」."""
    aw = ready_account(world)
    client = client_for(world.contractor_user)
    payee = client.post("/contractor/advances/payees/", {"name": "あ" * 3000})
    assert payee.status_code == 400
    text = visible_text(payee.content.decode())
    assert "支払先名は100文字以内で入力してください。" in text
    assert "でなければなりません" not in text
    reason = client.post(_url(aw, "change/"), {"change_reason": "あ" * 3000})
    assert reason.status_code == 400
    text = visible_text(reason.content.decode())
    assert "使途変更の理由は200文字以内で入力してください。" in text
    assert "でなければなりません" not in text
    assert not UseStatement.objects.filter(account=aw.account, version=2).exists()
