"""保証料書類: list, search by date / amount / 取引先 (電子帳簿保存法), PDF download."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import quote

import pytest
from django.utils import timezone

from esurety.guarantees.models import Guarantee, PremiumStatement, StatementType
from esurety.parties.models import Role
from tests.contractor.portal import client_for, pdf_text, tables, visible_text
from tests.factories import World, make_guarantee, make_surety, make_user

HEAD = ["発行日", "書類番号", "種類", "保証契約番号", "工事名", "取引先", "金額:円", "消費税", "PDF"]


def add_statement(g: Guarantee, *, number: str, issued_on: dt.date, amount: int, kind: str) -> PremiumStatement:
    # No refund service exists yet; the row is what one would write.
    return PremiumStatement.objects.create(
        number=number,
        statement_type=kind,
        guarantee=g,
        issued_on=issued_on,
        amount=amount,
        counterparty_name=g.contractor.name,
        breakdown={"premium": amount, "tax": "非課税"},
        created_at=timezone.now(),
    )


@pytest.fixture
def statements(world: World) -> dict[str, PremiumStatement]:
    g = make_guarantee(world)
    receipt = g.premium_statements.get()
    receipt.issued_on = dt.date(2026, 4, 20)
    PremiumStatement.objects.filter(pk=receipt.pk).update(issued_on=receipt.issued_on, amount=48_000)
    receipt.refresh_from_db()
    refund = add_statement(
        g, number=f"F{g.number}-1", issued_on=dt.date(2026, 9, 1), amount=12_000, kind=StatementType.REFUND
    )
    # A second surety: the 取引先 search tells them apart.
    surety2, branch2 = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    east = replace(
        world,
        surety=surety2,
        branch=branch2,
        clerk=make_user("east-clerk", surety=surety2, role=Role.CLERK),
        approver=make_user("east-approver", surety=surety2, role=Role.APPROVER),
    )
    g2 = make_guarantee(east, work_name="東の工事")
    other = g2.premium_statements.get()
    PremiumStatement.objects.filter(pk=other.pk).update(issued_on=dt.date(2026, 5, 10), amount=30_000)
    other.refresh_from_db()
    theirs = make_guarantee(world, by=world.other_contractor_user).premium_statements.get()
    return {"receipt": receipt, "refund": refund, "other_surety": other, "theirs": theirs}


def listed(world: World, **params: str) -> list[str]:
    response = client_for(world.contractor_user).get("/contractor/statements/", params)
    assert response.status_code == 200
    found = tables(response.content.decode())
    return [row[1] for row in found[0]["body"]] if found else []


def test_list_shows_own_statements_newest_first(world: World, statements: dict[str, PremiumStatement]) -> None:
    html = client_for(world.contractor_user).get("/contractor/statements/").content.decode()
    (table,) = tables(html)
    assert table["head"] == [HEAD]
    assert [row[1] for row in table["body"]] == [
        statements["refund"].number,
        statements["other_surety"].number,
        statements["receipt"].number,
    ]
    refund_row = table["body"][0]
    assert refund_row[0] == "2026/09/01"
    assert refund_row[2] == "返還計算書"
    assert refund_row[5] == "西日本建設業保証株式会社"
    assert refund_row[6] == "12,000"
    assert refund_row[7] == "非課税"
    assert statements["theirs"].number not in html
    assert "【先頭】 ◀ 前 3件中 1 - 3件 次 ▶ 最後 ▶" in visible_text(html)


def test_search_by_date_range(world: World, statements: dict[str, PremiumStatement]) -> None:
    assert listed(world, issued_from="2026-05-01", issued_to="2026-08-31") == [statements["other_surety"].number]
    assert listed(world, issued_from="2026/09/01") == [statements["refund"].number]


def test_search_by_amount_range_accepts_commas_and_full_width(
    world: World, statements: dict[str, PremiumStatement]
) -> None:
    assert listed(world, amount_min="20,000", amount_max="４０，０００円") == [statements["other_surety"].number]
    assert listed(world, amount_min="48000") == [statements["receipt"].number]


def test_search_by_counterparty(world: World, statements: dict[str, PremiumStatement]) -> None:
    assert listed(world, counterparty="東日本") == [statements["other_surety"].number]
    assert set(listed(world, counterparty="西日本建設業保証")) == {
        statements["receipt"].number,
        statements["refund"].number,
    }


def test_search_by_type(world: World, statements: dict[str, PremiumStatement]) -> None:
    assert listed(world, statement_type="REFUND") == [statements["refund"].number]


def test_bad_input_says_what_is_wrong(world: World, statements: dict[str, PremiumStatement]) -> None:
    response = client_for(world.contractor_user).get(
        "/contractor/statements/", {"issued_from": "2026-09-01", "issued_to": "2026-01-01", "amount_min": "abc"}
    )
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "発行日の範囲が逆になっています" in text
    assert "金額は半角または全角の数字で入力してください" in text
    assert "検索条件を確認してください。" in text


def test_statement_pdf(world: World, statements: dict[str, PremiumStatement]) -> None:
    s = statements["receipt"]
    response = client_for(world.contractor_user).get(f"/contractor/statements/{s.number}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"filename*=UTF-8''{quote('保証料領収書(計算書)', safe='')}" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "48,000" in text
    assert s.guarantee.number in text


def test_unknown_statement_is_404(world: World, statements: dict[str, PremiumStatement]) -> None:
    assert client_for(world.contractor_user).get("/contractor/statements/NOPE-1.pdf").status_code == 404
