"""前払金の使途 pages: another company's user (and anyone not a contractor) gets 404 on every URL,
and no POST changes anything; the CSV upload page and the template download."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse

from esurety.advances import services as advances
from esurety.advances.models import AdvanceAccount, Payee, ProofDocument, UseStatement, Withdrawal
from esurety.advances.withdrawal_csv import COLUMN_NAMES
from esurety.core.clock import business_date
from tests.contractor.portal import client_for, visible_text
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    PDF,
    AdvanceWorld,
    World,
    another_advance,
    make_guarantee,
    ready_account,
    request,
)

POST_ONLY = frozenset({"change", "proof_upload", "proof_remove", "payee_remove"})
GET_ONLY = frozenset({"statement_v1", "statement_v2", "proof", "template", "statement_pdf", "withdrawal_pdf"})


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    aw = ready_account(world)
    # A 使途変更 in draft (proofs copied into it), so every page of the statement has something to act on.
    advances.use_statement_change(account=aw.account, by=world.contractor_user, reason="調達先の決定", now=ADVANCE_NOW)
    return aw


def _urls(aw: AdvanceWorld) -> dict[str, str]:
    n = aw.guarantee.number
    proof = ProofDocument.objects.filter(statement__account=aw.account, statement__version=2).first()
    assert proof is not None
    payee = advances.payee_save(by=aw.world.contractor_user, data=PAYEE, now=ADVANCE_NOW)
    withdrawal = Withdrawal.objects.filter(account=aw.account).first() or request(aw, amount=1_000_000)
    base = f"/contractor/guarantees/{n}/advance/"
    return {
        "home": base,
        "statement_edit": base + "statement/",
        "statement_v1": base + "statement/1/",
        "statement_v2": base + "statement/2/",
        "statement_pdf": base + "statement/1/statement.pdf",
        "withdrawal_pdf": base + f"withdrawals/{withdrawal.pk}/request.pdf",
        "change": base + "change/",
        "proof_upload": base + "proofs/",
        "proof": base + f"proofs/{proof.pk}/",
        "proof_remove": base + f"proofs/{proof.pk}/remove/",
        "withdrawal_new": base + "withdrawals/new/",
        "withdrawal_upload": base + "withdrawals/upload/",
        "template": base + "withdrawals/template.csv",
        "payee_edit": f"/contractor/advances/payees/{payee.pk}/",
        "payee_remove": f"/contractor/advances/payees/{payee.pk}/remove/",
    }


def _state() -> tuple[Any, ...]:
    return (
        AdvanceAccount.objects.count(),
        list(UseStatement.objects.order_by("pk").values_list("pk", "status", "change_reason")),
        ProofDocument.objects.count(),
        Withdrawal.objects.count(),
        list(Payee.objects.order_by("pk").values_list("pk", "name", "branch_name", "is_active")),
    )


def _body(response: Any) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return bytes(getattr(response, "content", b"") or b"".join(response.streaming_content))


def test_the_owner_reaches_every_page(aw: AdvanceWorld) -> None:
    client = client_for(aw.world.contractor_user)
    for name, url in _urls(aw).items():
        if name in POST_ONLY:
            continue
        response = client.get(url)
        assert response.status_code == 200, name


def test_the_owner_downloads_the_statement_and_a_request_as_pdf_but_only_under_their_own_account(
    aw: AdvanceWorld,
) -> None:
    client = client_for(aw.world.contractor_user)
    urls = _urls(aw)
    for name in ("statement_pdf", "withdrawal_pdf"):
        response = client.get(urls[name])
        assert response["Content-Type"] == "application/pdf" and _body(response).startswith(b"%PDF"), name
    # Linked from the pages that show them.
    n = aw.guarantee.number
    assert urls["statement_pdf"] in client.get(urls["statement_v1"]).content.decode()
    assert urls["withdrawal_pdf"] in client.get(urls["home"]).content.decode()
    # The company's own request, asked for under the company's other account: 404.
    other = another_advance(aw, work_name="△△トンネル工事", account_number="7654321")
    elsewhere = urls["withdrawal_pdf"].replace(f"/guarantees/{n}/", f"/guarantees/{other.guarantee.number}/")
    assert client.get(elsewhere).status_code == 404


def test_another_contractor_gets_404_everywhere_and_changes_nothing(aw: AdvanceWorld) -> None:
    urls = _urls(aw)
    world = aw.world
    outsiders = [world.other_contractor_user, world.orderer_user, world.clerk, aw.bank_user]
    today = business_date().isoformat()
    posts: dict[str, dict[str, Any]] = {
        "home": {
            "bank_branch": aw.bank_branch.pk,
            "account_type": "ORDINARY",
            "account_number": "1111111",
            "holder_kana": "ア",
        },
        "statement_edit": {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-category": "LABOUR",
            "lines-0-payee_name": "自社",
            "lines-0-amount": "40000000",
            "lines-0-planned_on": "2026-06-30",
            "lines-0-method": "CASH",
            "change_reason": "乗っ取り",
            "submit": "1",
        },
        "change": {"change_reason": "乗っ取り"},
        "proof_upload": {
            "line_no": "1",
            "kind": "INVOICE",
            "file": SimpleUploadedFile("x.pdf", PDF, "application/pdf"),
        },
        "proof_remove": {},
        "withdrawal_new": {
            "line_no": "1",
            "payee_choice": "new",
            "payee_name": "自社",
            "payee_bank_name": "a",
            "payee_branch_name": "b",
            "payee_account_type": "ORDINARY",
            "payee_account_number": "1234567",
            "payee_holder_kana": "ア",
            "amount": "1",
            "desired_on": today,
        },
        "withdrawal_upload": {"file": SimpleUploadedFile("w.csv", b"x", "text/csv")},
        "payee_edit": {"name": "乗っ取り", "bank_name": "", "branch_name": ""},
        "payee_remove": {},
    }
    before = _state()
    for user in outsiders:
        client = client_for(user)
        for name, url in urls.items():
            # POST-only URLs answer a GET with 405 whoever asks, before looking anything up.
            expected = 405 if name in POST_ONLY else 404
            assert client.get(url).status_code == expected, (user.username, name, "GET")
            data = posts.get(name, {})
            for value in data.values():
                if hasattr(value, "seek"):
                    value.seek(0)
            expected = 405 if name in GET_ONLY else 404
            assert client.post(url, data).status_code == expected, (user.username, name, "POST")
        assert _state() == before, user.username
    # Anonymous: sent to the login page, nothing changed.
    anonymous = client_for(None)
    for name, url in urls.items():
        assert anonymous.post(url, posts.get(name, {})).status_code in (302, 405), name
    assert _state() == before


def test_a_guarantee_of_another_company_without_account_is_not_registrable(world: World) -> None:
    theirs = make_guarantee(world, by=world.other_contractor_user, work_name="他社の工事")
    client = client_for(world.contractor_user)
    url = f"/contractor/guarantees/{theirs.number}/advance/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"account_type": "ORDINARY"}).status_code == 404


def _csv(aw: AdvanceWorld, *rows: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    text = "\r\n".join([",".join(COLUMN_NAMES), *rows]) + "\r\n"
    return SimpleUploadedFile("払出.csv", text.encode(encoding), "text/csv")


def _row(line_no: str, amount: str) -> str:
    today = business_date().isoformat()
    return f'{line_no},材料費,株式会社△△資材,□□信用金庫,1234,本店,001,普通,7654321,ｶ)ｻﾝｶｸｼｻﾞｲ,"{amount}",{today}'


def test_csv_upload_one_yen_over_lists_the_line_and_requests_nothing(world: World) -> None:
    aw = ready_account(world)
    client = client_for(world.contractor_user)
    url = f"/contractor/guarantees/{aw.guarantee.number}/advance/withdrawals/upload/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"file": _csv(aw, _row("1", "10,000,000"), _row("1", "5,000,001"), _row("x", "1"))})
    assert bad.status_code == 400
    text = visible_text(bad.content.decode())
    assert "どの依頼も提出していません" in text and "4行目 行番号" in text
    assert not Withdrawal.objects.exists()
    # Form errors first; once the file reads, the rules: one yen over the line, named by line and column.
    over = client.post(url, {"file": _csv(aw, _row("1", "10,000,000"), _row("1", "5,000,001"), encoding="cp932")})
    assert over.status_code == 400
    text = visible_text(over.content.decode())
    assert "3行目 金額 材料費の行の残額 5,000,000円 を超えています（1円超過" in text
    assert not Withdrawal.objects.exists()
    ok = client.post(url, {"file": _csv(aw, _row("1", "10,000,000"), _row("1", "5,000,000"), encoding="cp932")})
    assert ok.status_code == 302
    assert sorted(Withdrawal.objects.values_list("amount", flat=True)) == [5_000_000, 10_000_000]


def test_the_template_lists_the_lines_and_neutralises_formulas(world: World) -> None:
    aw = ready_account(world)
    advances.use_statement_change(
        account=aw.account, by=world.contractor_user, reason="支払先名の修正", now=ADVANCE_NOW
    )
    # The accepted version still names the payee as entered; a payee typed as a formula:
    UseStatement.objects.get(account=aw.account, version=1).lines.filter(line_no=1).update(payee_name="=HYPERLINK(1)")
    response = client_for(world.contractor_user).get(
        f"/contractor/guarantees/{aw.guarantee.number}/advance/withdrawals/template.csv"
    )
    assert response.status_code == 200
    text = _body(response).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(COLUMN_NAMES)
    assert lines[1].startswith("1,材料費,'=HYPERLINK(1),")
    assert not any(line.startswith("4,") for line in lines)  # 未定: nothing can be requested against it
