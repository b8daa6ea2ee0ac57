"""払出依頼書 by CSV: the whole file read and checked, every bad line and column named, nothing requested."""

from __future__ import annotations

import datetime as dt

import pytest

from esurety.advances import services as advances
from esurety.advances.models import Withdrawal
from esurety.advances.withdrawal_csv import (
    COLUMN_NAMES,
    MAX_FILE_BYTES,
    ROW_LIMIT,
    TemplateLine,
    errors_from_violations,
    parse_withdrawal_csv,
    template_rows,
)
from esurety.core.errors import DomainError
from tests.factories import ADVANCE_NOW, AdvanceWorld, World, ready_account

HEADER = ",".join(COLUMN_NAMES)
ACCOUNT = "□□信用金庫,1234,本店,001,普通,7654321,ｶ)ｻﾝｶｸｼｻﾞｲ"


def row(line_no: str = "1", amount: str = "1000000", date: str = "2026-05-01", payee: str = "株式会社△△資材") -> str:
    return f"{line_no},材料費,{payee},{ACCOUNT},{amount},{date}"


def csv_of(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


def test_a_valid_file_becomes_requests() -> None:
    parsed = parse_withdrawal_csv(csv_of(row(), row("2", "２，０００，０００円", "2026/5/2")), account_id=7)
    assert parsed.ok and parsed.error_count == 0 and parsed.encoding == "UTF-8"
    first, second = parsed.items
    assert (first.account_id, first.line_no, first.amount, first.desired_on) == (7, 1, 1_000_000, dt.date(2026, 5, 1))
    assert first.payee is not None and first.payee.account_type == "ORDINARY" and first.payee.name == "株式会社△△資材"
    assert (second.amount, second.desired_on, second.label) == (2_000_000, dt.date(2026, 5, 2), "3行目")
    assert parsed.lines == [2, 3]


def test_cp932_as_excel_saves_it_and_columns_in_any_order() -> None:
    columns = list(COLUMN_NAMES)
    columns.reverse()
    cells = dict(zip(COLUMN_NAMES, row().split(","), strict=True))
    text = ",".join(columns) + "\r\n" + ",".join(cells[c] for c in columns) + "\r\n"
    parsed = parse_withdrawal_csv(text.encode("cp932"), account_id=1)
    assert parsed.ok and parsed.encoding == "Shift_JIS"
    assert parsed.items[0].payee is not None and parsed.items[0].payee.name == "株式会社△△資材"


def test_every_bad_cell_is_named_by_line_and_column() -> None:
    parsed = parse_withdrawal_csv(
        csv_of(row("x"), row(amount="12.5"), row(date="2026-13-01"), row(payee=""), "1,材料費,a", row()),
        account_id=1,
    )
    assert not parsed.ok
    found = {(e.line, e.column) for e in parsed.errors}
    assert found == {(2, "行番号"), (3, "金額"), (4, "払出希望日"), (5, "支払先名"), (6, "")}
    messages = {e.line: e.message for e in parsed.errors}
    assert messages[3] == "金額「12.5」は円単位の整数ではありません（例: 1,000,000）。"
    assert "項目の数が3個です" in messages[6]


def test_header_errors_and_empty_files() -> None:
    missing = parse_withdrawal_csv("行番号,支払先名,金額,謎の列\r\n1,a,1,\r\n".encode(), account_id=1)
    assert {(e.line, e.column) for e in missing.errors} == {(1, "謎の列"), (1, "払出希望日")}
    assert parse_withdrawal_csv(b"", account_id=1).errors[0].message.startswith("ファイルが空です")
    assert parse_withdrawal_csv(csv_of(), account_id=1).errors[0].message == "払出依頼の行がありません。"
    assert "文字コード" in parse_withdrawal_csv(b"\xff\xfe\x00\x81", account_id=1).errors[0].message
    big = parse_withdrawal_csv(b"x" * (MAX_FILE_BYTES + 1), account_id=1)
    assert "大きすぎます" in big.errors[0].message


def test_too_many_rows_are_refused() -> None:
    parsed = parse_withdrawal_csv(csv_of(*[row()] * (ROW_LIMIT + 1)), account_id=1)
    assert not parsed.ok and "までです" in parsed.errors[-1].message


def test_a_neutralised_formula_cell_reads_back_as_written() -> None:
    parsed = parse_withdrawal_csv(csv_of(row(payee='\'=HYPERLINK("x")')), account_id=1)
    assert parsed.items[0].payee is not None and parsed.items[0].payee.name == '=HYPERLINK("x")'
    # An apostrophe that is not before a formula character is the payee's own.
    kept = parse_withdrawal_csv(csv_of(row(payee="'株式会社")), account_id=1)
    assert kept.items[0].payee is not None and kept.items[0].payee.name == "'株式会社"


def test_a_name_alone_takes_the_account_from_the_payee_book() -> None:
    text = csv_of("1,材料費,株式会社△△資材,,,,,,,,500,2026-05-01")
    parsed = parse_withdrawal_csv(text, account_id=1, book={"株式会社△△資材": 42})
    assert parsed.items[0].payee_id == 42 and parsed.items[0].payee is None
    unknown = parse_withdrawal_csv(text, account_id=1, book={})
    assert unknown.items[0].payee_id is None and unknown.items[0].payee is not None


def test_the_template_lists_the_lines_that_can_be_paid() -> None:
    rows = template_rows(
        [TemplateLine(1, "MATERIALS", "=cmd"), TemplateLine(2, "LABOUR", "")], desired_on=dt.date(2026, 12, 7)
    )
    assert rows == [[1, "材料費", "=cmd", "", "", "", "", "", "", "", "", "2026-12-07"]]


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return ready_account(world)


def _request(aw: AdvanceWorld, content: bytes) -> list[Withdrawal]:
    parsed = parse_withdrawal_csv(content, account_id=aw.account.pk)
    assert parsed.ok, parsed.errors
    return advances.withdrawals_request_bulk(by=aw.world.contractor_user, items=parsed.items, now=ADVANCE_NOW)


def test_rows_one_yen_over_a_line_together_request_nothing(aw: AdvanceWorld) -> None:
    # Line 1 (材料費) is 15,000,000円: two rows that together are one yen over it.
    content = csv_of(row("1", '"10,000,000"'), row("2", "1"), row("1", '"5,000,001"'))
    parsed = parse_withdrawal_csv(content, account_id=aw.account.pk)
    assert parsed.ok, parsed.errors
    with pytest.raises(DomainError) as caught:
        advances.withdrawals_request_bulk(by=aw.world.contractor_user, items=parsed.items, now=ADVANCE_NOW)
    errors = errors_from_violations(parsed, caught.value.violations)
    assert [(e.line, e.column) for e in errors] == [(4, "金額")]
    assert errors[0].message.startswith("材料費の行の残額 5,000,000円 を超えています（1円超過")
    assert not Withdrawal.objects.exists()
    # Exactly what is left: all three requested.
    made = _request(aw, csv_of(row("1", '"10,000,000"'), row("2", "1"), row("1", '"5,000,000"')))
    assert [w.amount for w in made] == [10_000_000, 1, 5_000_000]


def test_an_undecided_line_and_a_missing_account_are_named(aw: AdvanceWorld) -> None:
    content = csv_of(row("4", "1"), "2,外注費,株式会社□□工業,,,,,,,,1,2026-05-01")
    parsed = parse_withdrawal_csv(content, account_id=aw.account.pk)
    assert parsed.ok, parsed.errors
    with pytest.raises(DomainError) as caught:
        advances.withdrawals_request_bulk(by=aw.world.contractor_user, items=parsed.items, now=ADVANCE_NOW)
    errors = errors_from_violations(parsed, caught.value.violations)
    assert (2, "行番号") in {(e.line, e.column) for e in errors}
    assert {"金融機関名", "支店名", "預金種目", "口座番号", "口座名義（カナ）"} <= {
        e.column for e in errors if e.line == 3
    }
    assert not Withdrawal.objects.exists()
