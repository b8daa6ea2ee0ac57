"""一括取込, one line at a time: a data line read into a Row, and every cell that cannot be read
reported by line and column. Checks across lines and against the database: validation.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from esurety.core.dates import business_date_error
from esurety.core.normalize import normalize_guarantee_number, parse_ascii_int
from esurety.core.text import text_error
from esurety.core.wareki import format_wareki
from esurety.guarantees.imports.columns import (
    CATEGORY_WORDS,
    DELIVERY_WORDS,
    FALSE_WORDS,
    KIND_WORDS,
    TRUE_WORDS,
    parse_date,
    parse_yen,
)
from esurety.parties.models import Branch, Contractor, Orderer

# The report keeps this many errors; a file that is wrong throughout (a wrong
# export) would otherwise store millions of identical messages.
MAX_REPORTED_ERRORS = 10_000


@dataclass(frozen=True)
class LineError:
    line: int  # physical line in the file; 1 is the header
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class Row:
    """One data line, parsed. Fields stay None where the value was missing or malformed."""

    line: int
    number: str = ""
    branch_name: str = ""
    contractor_id: int | None = None
    contractor_name: str = ""
    orderer_name: str = ""
    kind: str | None = None
    work_category: str | None = None
    work_name: str = ""
    contract_date: dt.date | None = None
    completion_date: dt.date | None = None
    contract_price: int | None = None
    contract_price_consideration: int | None = None
    guaranteed_amount: int | None = None
    low_bid: bool | None = False
    deposit_bank: str = ""
    advance_number: str = ""
    delivery_method: str | None = None
    issued_on: dt.date | None = None
    # Resolved references
    branch: Branch | None = None
    contractor: Contractor | None = None
    orderer: Orderer | None = None
    ok: bool = True
    # A cell that could not be read at all: the rules would report its absence a second time.
    unreadable: bool = False


@dataclass
class Validation:
    rows: list[Row] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    line_count: int = 0
    encoding: str = ""

    def add(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(line, column, message))


HEADER_MAX_CHARS = 50


def cell_error(value: str, *, limit: int) -> str | None:
    """Why a cell cannot be read at all (too long, or a refused character), or None."""
    if len(value) > limit:
        return f"値が長すぎます（{len(value):,}文字）。{limit:,}文字以内にしてください。"
    return text_error(value)


def parse_row(
    line: int,
    values: dict[str, str],
    result: Validation,
    today: dt.date,
    *,
    unreadable: frozenset[str] | set[str] = frozenset(),
) -> Row:
    row = Row(line=line, ok=not unreadable, unreadable=bool(unreadable))

    def bad(column: str, message: str) -> None:
        row.ok = False
        result.add(line, column, message)

    def required(column: str) -> str:
        value = values.get(column, "")
        if value == "" and column not in unreadable:
            bad(column, f"{column}を入力してください。")
        return value

    raw_number = values.get("保証契約番号", "")
    if raw_number:
        number = normalize_guarantee_number(raw_number)
        if len(number) != 10 or not number.isdigit():
            bad("保証契約番号", f"保証契約番号「{raw_number}」は10桁の数字ではありません。")
        else:
            row.number = number
    row.branch_name = required("取次場所")
    raw_id = values.get("保証契約者ID", "")
    row.contractor_name = values.get("保証契約者", "")
    if raw_id:
        # At most 18 digits: a longer ID cannot exist and would overflow the BIGINT lookup.
        row.contractor_id = parse_ascii_int(raw_id, max_digits=18)
        if row.contractor_id is None and raw_id.isascii() and raw_id.isdigit():
            bad("保証契約者ID", f"保証契約者ID {raw_id} は登録されていません。")
        elif row.contractor_id is None:
            bad("保証契約者ID", f"保証契約者ID「{raw_id}」は数字ではありません。")
    elif not row.contractor_name and "保証契約者" not in unreadable:
        bad("保証契約者", "保証契約者（または保証契約者ID）を入力してください。")
    row.orderer_name = required("発注者")

    kind = required("区分")
    if kind:
        row.kind = KIND_WORDS.get(kind)
        if row.kind is None:
            bad("区分", f"区分「{kind}」は指定できません（前払・中間前払・契約・契約保証予約のいずれか）。")
    category = required("業務区分")
    if category:
        row.work_category = CATEGORY_WORDS.get(category)
        if row.work_category is None:
            bad("業務区分", f"業務区分「{category}」は指定できません（工事・建設コンサルタント業務のいずれか）。")
    row.work_name = required("工事名")

    for column, attr in (("契約締結日", "contract_date"), ("工事末日", "completion_date"), ("証書発行日", "issued_on")):
        text = required(column)
        if text:
            day = parse_date(text)
            if day is None:
                bad(column, f"{column}「{text}」は日付として読めません（例: 2026-04-10）。")
            else:
                # The same range as the forms and the API (core.dates); the rules are not run on it.
                out_of_range = business_date_error(day, label=column)
                if out_of_range is not None:
                    bad(column, out_of_range)
                    day = None
            setattr(row, attr, day)
    if row.issued_on is not None and row.issued_on > today:
        bad("証書発行日", f"証書発行日（{format_wareki(row.issued_on, padded=False)}）が未来の日付です。")

    for column, attr, is_required in (
        ("請負金額(総額)", "contract_price", True),
        ("請負金額(対価額)", "contract_price_consideration", False),
        ("保証金額", "guaranteed_amount", True),
    ):
        text = required(column) if is_required else values.get(column, "")
        if text:
            amount = parse_yen(text)
            if amount is None:
                bad(column, f"{column}「{text}」は円単位の整数ではありません。")
            elif amount > 10**15:
                bad(column, f"{column}が大きすぎます。")
            else:
                setattr(row, attr, amount)

    low_bid = values.get("低入札", "")
    if low_bid in TRUE_WORDS:
        row.low_bid = True
    elif low_bid in FALSE_WORDS:
        row.low_bid = False
    else:
        row.low_bid = None
        bad("低入札", f"低入札「{low_bid}」は指定できません（空欄・0・いいえ、または 1・はい・○）。")
    row.deposit_bank = values.get("預託金融機関", "")
    raw_advance = values.get("前払金保証番号", "")
    if raw_advance:
        row.advance_number = normalize_guarantee_number(raw_advance)
        if len(row.advance_number) != 10 or not row.advance_number.isdigit():
            bad("前払金保証番号", f"前払金保証番号「{raw_advance}」は10桁の数字ではありません。")
    delivery = required("受取方法")
    if delivery:
        row.delivery_method = DELIVERY_WORDS.get(delivery)
        if row.delivery_method is None:
            bad("受取方法", f"受取方法「{delivery}」は指定できません（電子交付・書面のいずれか）。")
    return row
