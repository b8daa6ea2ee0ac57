"""The back office's 前払金 pages: statement queue and four-eyes acceptance, the account as audited,
払出停止 / 再開 with a reason in the guarantee's history, unusual accounts, documents; and nobody
outside the guarantee's branch and surety sees or changes any of it."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from esurety.advances import services as advances
from esurety.advances.kinds import AccountStatus, StatementStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount, UseStatement, Withdrawal
from esurety.audit.models import AuditEntry
from esurety.signing.models import DocumentKind, IssuedDocument
from esurety.signing.validation import pdf_signature_check
from tests.factories import (
    ADVANCE_NOW,
    AdvanceWorld,
    World,
    accept_statement,
    amend_amount,
    another_advance,
    attach_required_proofs,
    deposit_advance,
    make_advance_world,
    make_surety,
    make_user,
    request,
    submit_statement,
    use_line,
)


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def text(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", body))


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return make_advance_world(world)


@pytest.fixture
def submitted(aw: AdvanceWorld) -> UseStatement:
    return submit_statement(aw)


# --- the queue and one statement ---------------------------------------------------------------


def test_queue_lists_submitted_statements_and_the_statement_page_shows_lines_and_proofs(
    aw: AdvanceWorld, submitted: UseStatement
) -> None:
    clerk = client_for(aw.world.clerk)
    queue = clerk.get("/office/advances/")
    assert queue.status_code == 200
    assert aw.guarantee.number in text(queue) and "提出済" in text(queue)

    page = clerk.get(f"/office/advances/statements/{submitted.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert "前払金使途内訳明細書第1版" in body
    assert "株式会社□□工業" in body and "15,000,000" in body and "未定" in body
    assert "うち支払先未定10,000,000円" in body
    assert "5,000,000令和8年6月30日振込不要" in body  # 直用の労務費 needs no proof
    # Each proof is listed and downloadable as uploaded.
    proof = submitted.proofs.order_by("pk").first()
    assert proof is not None
    assert f"/office/advances/proofs/{proof.pk}/" in page.content.decode()
    download = clerk.get(f"/office/advances/proofs/{proof.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]


def test_four_eyes_the_one_who_checked_cannot_accept(aw: AdvanceWorld, submitted: UseStatement) -> None:
    approver = client_for(aw.world.approver)
    url = f"/office/advances/statements/{submitted.pk}/"
    response = approver.post(url + "review/", follow=True)
    assert "確認済にしました" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.REVIEWED and submitted.reviewed_by_id == aw.world.approver.pk

    # The approver who checked it sees no accept button, and a POST is refused with a message.
    page = approver.get(url)
    assert "ご自身が確認したため承認できません" in text(page)
    assert "/accept/" not in page.content.decode()
    refused = approver.post(url + "accept/", follow=True)
    assert refused.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.REVIEWED

    # A clerk (not an approver) may not accept either.
    client_for(aw.world.clerk).post(url + "accept/")
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.REVIEWED

    other = make_user("approver-b", surety=aw.world.surety, role="APPROVER")
    done = client_for(other).post(url + "accept/", follow=True)
    assert "承認しました" in text(done)
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.ACCEPTED and submitted.decided_by_id == other.pk


def test_return_needs_a_reason_beside_its_field(aw: AdvanceWorld, submitted: UseStatement) -> None:
    clerk = client_for(aw.world.clerk)
    url = f"/office/advances/statements/{submitted.pk}/return/"
    empty = clerk.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "差戻しの理由を入力してください。" in empty.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.SUBMITTED

    clerk.post(url, {"reason": "外注費の下請契約書の金額が内訳と一致しません。"})
    submitted.refresh_from_db()
    assert submitted.status == StatementStatus.RETURNED
    assert submitted.return_reason == "外注費の下請契約書の金額が内訳と一致しません。"
    page = clerk.get(f"/office/advances/statements/{submitted.pk}/")
    assert "差戻しの理由:外注費の下請契約書の金額が内訳と一致しません。" in text(page)


def test_use_change_shows_what_changed_and_every_version(aw: AdvanceWorld) -> None:
    v1 = accept_statement(aw, submit_statement(aw))
    v2 = advances.use_statement_change(
        account=aw.account, by=aw.world.contractor_user, reason="材料の仕入先の決定", now=ADVANCE_NOW
    )
    lines = [
        use_line(x.category, x.amount, x.payee_name or "株式会社◇◇建材", line_no=x.line_no) for x in v2.lines.all()
    ]
    advances.use_statement_update_draft(statement=v2, by=aw.world.contractor_user, lines=lines, now=ADVANCE_NOW)
    attach_required_proofs(aw, v2)
    advances.use_statement_submit(statement=v2, by=aw.world.contractor_user, now=ADVANCE_NOW)

    page = client_for(aw.world.clerk).get(f"/office/advances/statements/{v2.pk}/")
    body = text(page)
    assert "第2版（使途変更）" in body and "材料の仕入先の決定" in body
    assert "第1版との違い" in body and "変更材料費未定10,000,000円" in body
    assert f"/office/advances/statements/{v1.pk}/" in page.content.decode()
    assert client_for(aw.world.clerk).get(f"/office/advances/statements/{v1.pk}/").status_code == 200


def test_the_examiner_reads_the_rules_against_the_guarantee_as_it_is_now(
    aw: AdvanceWorld, submitted: UseStatement
) -> None:
    url = f"/office/advances/statements/{submitted.pk}/"
    assert "合計と前払金額の一致" in text(client_for(aw.world.clerk).get(url))
    amend_amount(
        guarantee=aw.guarantee,
        by=aw.world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=ADVANCE_NOW.date(),
        reason="設計変更",
        now=ADVANCE_NOW,
    )
    body = text(client_for(aw.world.clerk).get(url))
    assert "このままでは承認できません" in body
    assert "提出後に保証金額が40,000,000円から44,000,000円に変更されています。" in body
    assert "あと4,000,000円不足しています" in body


def test_statement_pdf_is_signed_and_registered(aw: AdvanceWorld, submitted: UseStatement) -> None:
    response = client_for(aw.world.clerk).get(f"/office/advances/statements/{submitted.pk}/statement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert pdf_signature_check(response.content).valid
    issued = IssuedDocument.objects.get(sha256=hashlib.sha256(response.content).hexdigest())
    assert issued.kind == DocumentKind.USE_STATEMENT


# --- the account ---------------------------------------------------------------------------------


@pytest.fixture
def ready(aw: AdvanceWorld) -> AdvanceWorld:
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    paid = request(aw, amount=3_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    request(aw, amount=2_000_000)
    return aw


def test_account_view_shows_deposits_balance_withdrawals_by_use_and_payee(ready: AdvanceWorld) -> None:
    response = client_for(ready.world.clerk).get(f"/office/advances/accounts/{ready.guarantee.number}/")
    assert response.status_code == 200
    body = text(response)
    assert "前払金の入金額40,000,000円" in body
    assert "払出済3,000,000円" in body
    assert "前払金残高37,000,000円" in body
    assert "うち依頼中（未払出）2,000,000円" in body
    # Line 1 (材料費 15,000,000): paid 3,000,000, waiting 2,000,000, left 10,000,000; by payee.
    assert "材料費株式会社△△資材15,000,0003,000,0002,000,00010,000,000" in body
    assert "株式会社△△資材5,000,000円（2件）" in body
    # The total row adds up what may still be requested, as the contractor's page does.
    assert "合計40,000,0003,000,0002,000,00035,000,000" in body
    w = Withdrawal.objects.filter(status=WithdrawalStatus.PAID).get()
    assert w.number in body

    # Filtered by state, and the request as a signed PDF.
    waiting = client_for(ready.world.clerk).get(
        f"/office/advances/accounts/{ready.guarantee.number}/?w_status=REQUESTED"
    )
    assert w.number not in text(waiting)
    pdf = client_for(ready.world.clerk).get(f"/office/advances/withdrawals/{w.pk}/request.pdf")
    assert pdf.status_code == 200 and pdf_signature_check(pdf.content).valid
    assert IssuedDocument.objects.filter(
        sha256=hashlib.sha256(pdf.content).hexdigest(), kind=DocumentKind.WITHDRAWAL_REQUEST
    ).exists()


def test_the_account_list_shows_and_filters_the_accounts_with_requests_waiting_at_the_bank(
    ready: AdvanceWorld,
) -> None:
    # The home page's 「金融機関で払出待ちの払出依頼」 count leads to this filter.
    quiet = another_advance(ready, work_name="△△トンネル工事", account_number="7654321")
    client = client_for(ready.world.clerk)
    listing = client.get("/office/advances/accounts/")
    assert ready.guarantee.number in text(listing) and quiet.guarantee.number in text(listing)
    assert f"/office/advances/accounts/{ready.guarantee.number}/?w_status=REQUESTED" in listing.content.decode()
    waiting = client.get("/office/advances/accounts/?waiting=1")
    assert waiting.status_code == 200
    assert ready.guarantee.number in text(waiting) and quiet.guarantee.number not in text(waiting)


def test_a_number_search_with_a_nul_byte_is_a_search_not_a_server_error(ready: AdvanceWorld) -> None:
    # Found by the fuzz test on PostgreSQL, which refuses NUL in text: only digits and letters are searched.
    client = client_for(ready.world.clerk)
    odd = client.get("/office/advances/accounts/", {"number": f"{ready.guarantee.number[:4]}\x00"})
    assert odd.status_code == 200 and ready.guarantee.number in text(odd)


def test_stop_and_resume_with_a_reason_in_the_guarantee_history(ready: AdvanceWorld) -> None:
    number = ready.guarantee.number
    clerk = client_for(ready.world.clerk)
    assert clerk.get(f"/office/advances/accounts/{number}/stop/").status_code == 200
    empty = clerk.post(f"/office/advances/accounts/{number}/stop/", {"reason": ""})
    assert empty.status_code == 400 and "払出停止の理由を入力してください。" in empty.content.decode()
    clerk.post(f"/office/advances/accounts/{number}/stop/", {"reason": "保証事故（工事の中断）の報告による"})
    account = AdvanceAccount.objects.get(pk=ready.account.pk)
    assert account.status == AccountStatus.STOPPED
    entry = AuditEntry.objects.get(action="advance_account.stop", object_id=str(account.pk))
    assert entry.after is not None and entry.after["reason"] == "保証事故（工事の中断）の報告による"

    # A clerk may stop, not resume: the page says so and a POST changes nothing.
    page = clerk.get(f"/office/advances/accounts/{number}/resume/")
    assert "承認者・支店長・管理者が行います" in text(page)
    clerk.post(f"/office/advances/accounts/{number}/resume/", {"reason": "再開"})
    account.refresh_from_db()
    assert account.status == AccountStatus.STOPPED

    client_for(ready.world.approver).post(
        f"/office/advances/accounts/{number}/resume/", {"reason": "事故の報告が取り下げられたため"}
    )
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE

    history = text(client_for(ready.world.clerk).get(f"/office/guarantees/{number}/"))
    assert "払出停止" in history and "理由:保証事故（工事の中断）の報告による" in history
    assert "払出再開" in history and "理由:事故の報告が取り下げられたため" in history
    assert "使途内訳明細書の承認" in history
    assert (
        f"/office/advances/accounts/{number}/"
        in client_for(ready.world.clerk).get(f"/office/guarantees/{number}/").content.decode()
    )


def test_unusual_accounts_list_a_payee_taking_most_of_a_line(ready: AdvanceWorld) -> None:
    # Line 2 is 外注費 to 株式会社□□工業 (10,000,000); 6,000,000 of it requested for another payee.
    request(ready, line_no=2, amount=6_000_000)
    response = client_for(ready.world.clerk).get("/office/advances/unusual/")
    assert response.status_code == 200
    body = text(response)
    assert ready.guarantee.number in body and "「株式会社△△資材」が占めています" in body


def test_the_office_nav_leads_to_the_advance_pages(aw: AdvanceWorld, submitted: UseStatement) -> None:
    # The home page's counts of advance work come from dashboards.advance_work (another branch of work).
    home = client_for(aw.world.clerk).get("/office/home/")
    assert 'href="/office/advances/"' in home.content.decode()
    queue = client_for(aw.world.clerk).get("/office/advances/").content.decode()
    assert 'href="/office/advances/accounts/"' in queue and 'href="/office/advances/unusual/"' in queue


# --- who may not -------------------------------------------------------------------------------


def test_staff_of_another_branch_or_surety_get_404_and_change_nothing(ready: AdvanceWorld) -> None:
    accepted = UseStatement.objects.get(account=ready.account, status=StatementStatus.ACCEPTED)
    change = advances.use_statement_change(
        account=ready.account, by=ready.world.contractor_user, reason="変更", now=ADVANCE_NOW
    )
    advances.use_statement_submit(statement=change, by=ready.world.contractor_user, now=ADVANCE_NOW)
    w = Withdrawal.objects.filter(account=ready.account).first()
    proof = accepted.proofs.first()
    assert w is not None and proof is not None
    number = ready.guarantee.number
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    outsiders = [
        ready.branch_clerk,  # an approver of another branch of the same surety
        make_user("east", surety=other_surety, role="SURETY_ADMIN"),
        ready.world.contractor_user,  # the contractor itself has no office
        ready.bank_admin,
    ]
    gets = [
        f"/office/advances/statements/{change.pk}/",
        f"/office/advances/statements/{accepted.pk}/",
        f"/office/advances/statements/{accepted.pk}/statement.pdf",
        f"/office/advances/proofs/{proof.pk}/",
        f"/office/advances/accounts/{number}/",
        f"/office/advances/accounts/{number}/stop/",
        f"/office/advances/accounts/{number}/resume/",
        f"/office/advances/accounts/{number}/close/",
        f"/office/advances/withdrawals/{w.pk}/request.pdf",
    ]
    posts = [
        f"/office/advances/statements/{change.pk}/review/",
        f"/office/advances/statements/{change.pk}/accept/",
        f"/office/advances/statements/{change.pk}/return/",
        f"/office/advances/accounts/{number}/stop/",
        f"/office/advances/accounts/{number}/resume/",
        f"/office/advances/accounts/{number}/close/",
    ]
    documents = IssuedDocument.objects.count()
    audit = AuditEntry.objects.count()
    for user in outsiders:
        client = client_for(user)
        for url in gets:
            assert client.get(url).status_code == 404, (user.username, url)
        for url in posts:
            assert client.post(url, {"reason": "不正な操作"}).status_code == 404, (user.username, url)
        # Lists in scope show nothing of this account.
        if user.surety_id is not None:
            for url in ("/office/advances/", "/office/advances/accounts/", "/office/advances/unusual/"):
                response = client.get(url)
                assert response.status_code == 200 and number not in response.content.decode(), (user.username, url)
    change.refresh_from_db()
    account = AdvanceAccount.objects.get(pk=ready.account.pk)
    assert change.status == StatementStatus.SUBMITTED and account.status == AccountStatus.ACTIVE
    assert IssuedDocument.objects.count() == documents and AuditEntry.objects.count() == audit


def test_anonymous_is_sent_to_login(aw: AdvanceWorld) -> None:
    response = Client().get(f"/office/advances/accounts/{aw.guarantee.number}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_ids_are_404(aw: AdvanceWorld) -> None:
    clerk = client_for(aw.world.clerk)
    for url in (
        "/office/advances/statements/999999/",
        "/office/advances/proofs/999999/",
        "/office/advances/accounts/9999999999/",
        "/office/advances/withdrawals/999999/request.pdf",
    ):
        assert clerk.get(url).status_code == 404, url
