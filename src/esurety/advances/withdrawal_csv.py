"""払出依頼書 in bulk: one CSV of many requests for one account, read and checked as a whole file.

Pure (no database): the caller passes the account, the statement's lines and the
payee book; what comes back is either requests for
services.withdrawals_request_bulk or the list of every bad line and column, in
Japanese, as the bulk guarantee import reports them (guarantees.imports). The
service then checks the rules (what is left of each line, the rows of one line
together, 未定 lines, a stopped account); ``errors_from_violations`` turns its
answer back into lines and columns of the file.

The file: UTF-8 (with or without BOM) or Shift_JIS (cp932, Excel's 「CSV」), one
header line naming the columns (in any order), at most ROW_LIMIT data lines and
MAX_FILE_BYTES. A cell Excel would run as a formula is written with a leading
apostrophe by every CSV this system writes (web.downloads.csv_cell); reading,
the apostrophe is taken off again so that a downloaded template uploads as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from esurety.advances.kinds import PayeeAccountType, UseCategory
from esurety.advances.rules import PayeeInput
from esurety.advances.services.withdrawals import BULK_MAX, WithdrawalInput
from esurety.core.errors import DomainError, RuleViolation
from esurety.core.text import text_error
from esurety.guarantees.imports.columns import decode, parse_date, parse_yen

MAX_FILE_BYTES = 2 * 1024 * 1024
ROW_LIMIT = BULK_MAX
MAX_CELL_CHARS = 200
MAX_REPORTED_ERRORS = 1_000
HEADER_MAX_CHARS = 50


@dataclass(frozen=True)
class Column:
    name: str
    required: str  # as shown on the upload page
    format: str
    field: str  # the field of WithdrawalInput / PayeeInput (the service's violations name it)


COLUMNS: tuple[Column, ...] = (
    Column("行番号", "必須", "承認済の使途内訳明細書の行番号（様式に記入済み）。", "line_no"),
    Column("使途", "任意", "確認用（読み込みません）。", ""),
    Column("支払先名", "必須", "100文字以内。支払先台帳にある名前だけなら口座は台帳から補います。", "payee_name"),
    Column("金融機関名", "振込は必須", "例: □□信用金庫", "payee_bank_name"),
    Column("金融機関コード", "任意", "4桁の数字。", "payee_bank_code"),
    Column("支店名", "振込は必須", "例: 本店", "payee_branch_name"),
    Column("支店コード", "任意", "3桁の数字。", "payee_branch_code"),
    Column("預金種目", "振込は必須", "普通 / 当座 / 貯蓄（1 / 2 / 4 も可）", "payee_account_type"),
    Column("口座番号", "振込は必須", "7桁以内の数字。", "payee_account_number"),
    Column("口座名義（カナ）", "振込は必須", "カナ・英大文字・数字。例: カ)サンカクシザイ", "payee_holder_kana"),
    Column("金額", "必須", "円単位の整数（カンマ可）。", "amount"),
    Column("払出希望日", "必須", "2026-12-10、2026/12/10 または 令和8年12月10日。本日以降。", "desired_on"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED = frozenset({"行番号", "支払先名", "金額", "払出希望日"})
# The service's field names (after the row index) → the column of the file.
FIELD_COLUMNS: Mapping[str, str] = {c.field: c.name for c in COLUMNS if c.field} | {
    "payee_name": "支払先名",
    "payee_id": "支払先名",
    "account": "",
    "account_id": "",
}

ACCOUNT_TYPE_WORDS: Mapping[str, str] = {
    **{t.label: t.value for t in PayeeAccountType},
    **{t.label + "預金": t.value for t in PayeeAccountType},
    "1": PayeeAccountType.ORDINARY,
    "2": PayeeAccountType.CURRENT,
    "4": PayeeAccountType.SAVINGS,
}
# The apostrophe web.downloads.csv_cell puts before a cell that starts like a formula.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


@dataclass(frozen=True)
class LineError:
    line: int  # physical line of the file; 1 is the header
    column: str
    message: str


@dataclass(frozen=True)
class TemplateLine:
    """A line of the statement in force, as the template lists it."""

    line_no: int
    category: str
    payee_name: str  # "" is 未定


@dataclass
class Parsed:
    items: list[WithdrawalInput] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file line of each item
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    line_count: int = 0
    encoding: str = ""

    def add(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(line, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and bool(self.items)


def _key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def _cell(value: str) -> str:
    return _NEUTRALISED.sub("", value.strip())


def _records(text: str) -> Iterator[tuple[int, list[str] | None]]:
    """(first physical line, cells) per record; cells None for a record the csv module cannot read (last)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start, None
            return
        yield start, cells
        start = reader.line_num + 1


def parse_withdrawal_csv(content: bytes, *, account_id: int, book: Mapping[str, int] | None = None) -> Parsed:
    """Read the whole file; ``book`` maps a payee name of the payee book to its id."""
    result = Parsed()
    if len(content) > MAX_FILE_BYTES:
        result.add(
            0, "", f"ファイルが大きすぎます（{MAX_FILE_BYTES // 1024 // 1024}MBまで）。分けてアップロードしてください。"
        )
        return result
    try:
        text, result.encoding = decode(content)
    except DomainError as exc:
        result.add(1, "", exc.message)
        return result
    records = _records(text)
    first = next(records, None)
    if first is None or first[1] is None or not any(c.strip() for c in first[1]):
        result.add(1, "", "ファイルが空です。1行目に見出し行、2行目以降に払出依頼を入れてください。")
        return result
    positions = _header(first[1], result)
    if result.error_count:
        return result
    width = len(first[1])
    for line, cells in records:
        if cells is None:
            result.line_count += 1
            result.add(line, "", 'CSVとして読み取れない行があります。引用符（"）の対応を確認してください。')
            break
        if not any(c.strip() for c in cells):
            continue  # Excel leaves ",,,," lines at the end
        result.line_count += 1
        if result.line_count > ROW_LIMIT:
            result.add(line, "", f"一度に依頼できるのは{ROW_LIMIT:,}件までです。ファイルを分けてください。")
            break
        if len(cells) != width:
            result.add(
                line, "", f"項目の数が{len(cells)}個です（見出し行は{width}個）。区切りのカンマを確認してください。"
            )
            continue
        item = _row(line, {name: cells[i] for name, i in positions.items()}, result, account_id, book or {})
        if item is not None:
            result.items.append(item)
            result.lines.append(line)
    if not result.line_count and not result.error_count:
        result.add(2, "", "払出依頼の行がありません。")
    return result


def _header(cells: Sequence[str], result: Parsed) -> dict[str, int]:
    known = {_key(n): n for n in COLUMN_NAMES} | {_key("口座名義"): "口座名義（カナ）"}
    positions: dict[str, int] = {}
    for index, raw in enumerate(cells):
        name = _key(_cell(raw.lstrip("\ufeff")))
        if not name:
            continue
        if len(name) > HEADER_MAX_CHARS or text_error(name) is not None:
            result.add(1, f"{index + 1}列目", "見出しを読み取れません。様式の見出し行を使ってください。")
            continue
        column = known.get(name)
        if column is None:
            result.add(1, name, f"見出し「{name}」は払出依頼の項目にありません。")
        elif column in positions:
            result.add(1, column, f"見出し「{column}」が2回あります。")
        else:
            positions[column] = index
    for name in COLUMN_NAMES:
        if name in REQUIRED and name not in positions:
            result.add(1, name, f"見出し「{name}」がありません。")
    return positions


def _row(
    line: int, raw: Mapping[str, str], result: Parsed, account_id: int, book: Mapping[str, int]
) -> WithdrawalInput | None:
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
        result.add(line, column, message)

    values: dict[str, str] = {}
    for name, value in raw.items():
        value = _cell(value)
        if len(value) > MAX_CELL_CHARS:
            bad(name, f"値が長すぎます（{len(value):,}文字）。{MAX_CELL_CHARS}文字以内にしてください。")
            continue
        message = text_error(value)
        if message is not None:
            bad(name, message)
            continue
        values[name] = value

    def required(name: str) -> str:
        value = values.get(name, "")
        if not value and name in raw and name in values:
            bad(name, f"{name}を入力してください。")
        return value

    line_no: int | None = None
    raw_no = required("行番号")
    if raw_no:
        digits = unicodedata.normalize("NFKC", raw_no)
        if digits.isascii() and digits.isdigit() and len(digits) <= 6:
            line_no = int(digits)
        else:
            bad("行番号", f"行番号「{raw_no}」は数字ではありません（様式の行番号を使ってください）。")
    amount: int | None = None
    raw_amount = required("金額")
    if raw_amount:
        amount = parse_yen(unicodedata.normalize("NFKC", raw_amount))
        if amount is None:
            bad("金額", f"金額「{raw_amount}」は円単位の整数ではありません（例: 1,000,000）。")
        elif amount > 999_999_999_999_999:
            bad("金額", "金額が大きすぎます。桁数を確認してください。")
            amount = None
    desired_on: dt.date | None = None
    raw_date = required("払出希望日")
    if raw_date:
        desired_on = parse_date(unicodedata.normalize("NFKC", raw_date))
        if desired_on is None:
            bad("払出希望日", f"払出希望日「{raw_date}」は日付ではありません（例: 2026-12-10）。")
    account_type = ""
    raw_type = values.get("預金種目", "")
    if raw_type:
        account_type = ACCOUNT_TYPE_WORDS.get(_key(raw_type), "")
        if not account_type:
            bad("預金種目", f"預金種目「{raw_type}」は指定できません（普通・当座・貯蓄のいずれか）。")
    name = required("支払先名")
    if not ok or line_no is None or amount is None:
        return None
    payee = PayeeInput(
        name=name,
        bank_name=values.get("金融機関名", ""),
        bank_code=values.get("金融機関コード", ""),
        branch_name=values.get("支店名", ""),
        branch_code=values.get("支店コード", ""),
        account_type=account_type,
        account_number=values.get("口座番号", ""),
        holder_kana=values.get("口座名義（カナ）", ""),
    )
    label = f"{line}行目"
    if not payee.has_account and not account_type:
        payee_id = book.get(unicodedata.normalize("NFKC", name).strip())
        if payee_id is not None:
            # Only the name: the payee book's account is used (as on the one-at-a-time page).
            return WithdrawalInput(
                account_id=account_id,
                line_no=line_no,
                amount=amount,
                desired_on=desired_on,
                payee_id=payee_id,
                label=label,
            )
    return WithdrawalInput(
        account_id=account_id, line_no=line_no, amount=amount, desired_on=desired_on, payee=payee, label=label
    )


_INDEXED = re.compile(r"^(\d+)\.(.*)$")


def errors_from_violations(parsed: Parsed, violations: Sequence[RuleViolation]) -> list[LineError]:
    """The bulk service's violations (``<index>.<field>``, 「n行目: …」) as lines and columns of the file."""
    out: list[LineError] = []
    for v in violations:
        match = _INDEXED.match(v.field)
        if match is None or int(match[1]) >= len(parsed.lines):
            out.append(LineError(0, "", v.message))
            continue
        line = parsed.lines[int(match[1])]
        message = v.message.removeprefix(f"{line}行目: ")
        out.append(LineError(line, FIELD_COLUMNS.get(match[2], ""), message))
    out.sort(key=lambda e: (e.line, COLUMN_NAMES.index(e.column) if e.column in COLUMN_NAMES else -1))
    return out


def merge_errors(read: Sequence[LineError], checked: Sequence[LineError]) -> list[LineError]:
    """The reading errors and the rule errors of one file, in the order of its lines and columns."""
    out = sorted(
        [*read, *checked],
        key=lambda e: (e.line, COLUMN_NAMES.index(e.column) if e.column in COLUMN_NAMES else -1),
    )
    return out[:MAX_REPORTED_ERRORS]


def template_header() -> tuple[str, ...]:
    return COLUMN_NAMES


def template_rows(lines: Sequence[TemplateLine], *, desired_on: dt.date) -> list[list[object]]:
    """One example row per line that can be paid (a named payee), for the download.

    Cells are the values as entered (a payee name may start with 「=」): the caller writes
    them through web.downloads.csv_response, which neutralises formula cells.
    """
    rows: list[list[object]] = []
    for line in lines:
        if not line.payee_name:
            continue  # 未定: nothing may be requested against it
        label = UseCategory(line.category).label if line.category in UseCategory.values else line.category
        rows.append([line.line_no, label, line.payee_name, "", "", "", "", "", "", "", "", desired_on.isoformat()])
    return rows
