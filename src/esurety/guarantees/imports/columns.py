"""一括取込: the CSV's columns, its words, and reading a file into lines of text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from esurety.core.errors import DomainError
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory, kind_full_name
from esurety.core.wareki import ERAS

MAX_FILE_BYTES = 64 * 1024 * 1024
# No column holds more than this (工事名 200, names 100–200): a longer cell is refused by line
# and column before anything else reads it, so no message repeats 200,000 characters.
MAX_CELL_CHARS = 1_000

# The csv module refuses a field over 131,072 characters with an error that names no column;
# let it read any field the file can hold, so that MAX_CELL_CHARS names line and column.
# (A process-wide setting of the csv module; raising it changes nothing for smaller fields.)
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


@dataclass(frozen=True)
class Column:
    name: str
    required: str  # 必須 / 任意 / a condition, as shown on the page
    format: str
    example: str


# The header of the CSV, in this order (the order of the columns in a file may differ).
COLUMNS: tuple[Column, ...] = (
    Column("保証契約番号", "任意", "10桁の数字。空欄の場合は取次場所の採番範囲から採番します。", ""),
    Column("取次場所", "必須", "取次場所（支店）の名称。自社に登録済みのもの。", "大塚支店"),
    Column("保証契約者ID", "どちらか必須", "保証契約者の登録ID（数字）。同名の会社がある場合は必須。", ""),
    Column("保証契約者", "どちらか必須", "保証契約者の商号又は名称（登録済みのもの）。", "株式会社〇〇建設"),
    Column("発注者", "必須", "発注者（被保証者）の名称（登録済みのもの）。", "徳島市上下水道事業管理者"),
    Column("区分", "必須", "前払 / 中間前払 / 契約 / 契約保証予約", "前払"),
    Column("業務区分", "必須", "工事 / 建設コンサルタント業務", "工事"),
    Column("工事名", "必須", "200文字以内。", "〇〇道路改良工事"),
    Column("契約締結日", "必須", "2026-04-10、2026/4/10 または 令和8年4月10日", "2026-04-10"),
    Column("工事末日", "必須", "契約締結日以降の日付。", "2027-03-31"),
    Column("請負金額(総額)", "必須", "円単位の整数（カンマ可）。", "100000000"),
    Column("請負金額(対価額)", "任意", "円単位の整数（カンマ可）。", ""),
    Column("保証金額", "必須", "円単位の整数（カンマ可）。", "40000000"),
    Column("低入札", "任意", "空欄・0・いいえ = 対象外、1・はい・○ = 低入札価格調査の対象", "0"),
    Column("預託金融機関", "前払・中間前払は必須", "100文字以内。", "〇〇銀行 ▲▲支店"),
    Column(
        "前払金保証番号",
        "中間前払・契約は必須",
        "同じ工事の前払金保証の保証契約番号（登録済み、または同じファイルの行）。",
        "",
    ),
    Column("受取方法", "必須", "電子交付 / 書面", "電子交付"),
    Column("証書発行日", "必須", "本日以前の日付。", "2026-04-15"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)

# RuleViolation.field of rules.check_terms → the CSV column it concerns.
FIELD_COLUMNS = {
    "kind": "区分",
    "work_category": "業務区分",
    "work_name": "工事名",
    "contract_date": "契約締結日",
    "completion_date": "工事末日",
    "contract_price": "請負金額(総額)",
    "contract_price_consideration": "請負金額(対価額)",
    "guaranteed_amount": "保証金額",
    "low_bid": "低入札",
    "deposit_bank": "預託金融機関",
    "advance_guarantee": "前払金保証番号",
    "delivery_method": "受取方法",
}

KIND_WORDS: dict[str, str] = {
    **{kind.label: kind.value for kind in GuaranteeKind},
    **{kind_full_name(kind.value): kind.value for kind in GuaranteeKind},
}
CATEGORY_WORDS: dict[str, str] = {c.label: c.value for c in WorkCategory} | {"建設コンサルタント": "CONSULTING"}
DELIVERY_WORDS: dict[str, str] = {d.label: d.value for d in DeliveryMethod} | {"電子": "ELECTRONIC"}
TRUE_WORDS = frozenset({"1", "はい", "○", "〇", "有", "あり", "対象", "TRUE", "true", "Y", "y"})
FALSE_WORDS = frozenset({"", "0", "いいえ", "×", "無", "なし", "対象外", "FALSE", "false", "N", "n"})


# -- reading -----------------------------------------------------------------------------------


def decode(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or Shift_JIS (cp932, as core systems and Excel export it)."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "UTF-8 (BOM付き)"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return content.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
        try:
            return content.decode("cp932"), "Shift_JIS"
        except UnicodeDecodeError:
            pass
    raise DomainError("ファイルの文字コードを判別できません。UTF-8 または Shift_JIS のCSVで保存してください。")


def clean_cell(value: str) -> str:
    # NFKC: 全角 digits, letters and brackets from the core system become half-width.
    # Only for codes, dates, amounts and choices: names are compared as registered.
    return unicodedata.normalize("NFKC", value).strip()


# Columns whose value is a name or free text, kept as written (only trimmed).
TEXT_COLUMNS = frozenset({"取次場所", "保証契約者", "発注者", "工事名", "預託金融機関"})


def header_key(value: str) -> str:
    return re.sub(r"\s+", "", clean_cell(value))


_DATE_SEPARATED = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_WAREKI = re.compile(r"^(令和|平成|昭和)(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日$")


def parse_date(text: str) -> dt.date | None:
    """2026-04-10, 2026/4/10, 20260410 or 令和8年4月10日 (元年 too); None if not a date."""
    value = text.replace(" ", "")
    match = _DATE_SEPARATED.match(value) or _DATE_COMPACT.match(value)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        wareki = _DATE_WAREKI.match(value)
        if wareki:
            era = next(e for e in ERAS if e.name == wareki[1])
            year = 1 if wareki[2] == "元" else int(wareki[2])
            day = dt.date(era.starts.year + year - 1, int(wareki[3]), int(wareki[4]))
            return day if day >= era.starts else None
    except ValueError:
        return None
    return None


# Larger than any yen amount the columns hold (BIGINT); parse_yen reads at most this many digits.
YEN_MAX_DIGITS = 18
YEN_TOO_LARGE = 1_000_000_000_000_000_000  # 10**YEN_MAX_DIGITS


def parse_yen(text: str) -> int | None:
    """「40,000,000」「40000000円」 → 40000000; None if not a whole number of yen.

    An amount of more than YEN_MAX_DIGITS significant digits is returned as YEN_TOO_LARGE,
    so that the caller says "too large" instead of int() failing on thousands of digits.
    """
    value = text.replace(",", "").replace("円", "").replace("¥", "").replace(" ", "")
    if not value.isascii() or not value.isdigit():
        return None
    value = value.lstrip("0") or "0"
    if len(value) > YEN_MAX_DIGITS:
        return YEN_TOO_LARGE
    return int(value)


class _Rows:
    """(first physical line, cells) of each CSV record, with CR, LF or CRLF line endings.

    A record the csv module cannot read ends the reading; its line is kept in `broken`
    so that the report names it (instead of the batch failing with a system error).
    """

    def __init__(self, text: str) -> None:
        self._reader = csv.reader(io.StringIO(text, newline=""))
        self._start = 1
        self.broken: int | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        if self.broken is not None:
            raise StopIteration
        try:
            cells = next(self._reader)
        except csv.Error:
            self.broken = self._start
            raise StopIteration from None
        start, self._start = self._start, self._reader.line_num + 1
        return start, cells


def csv_rows(text: str) -> _Rows:
    return _Rows(text)


def template_csv() -> str:
    """The header and one example line, for the download on the page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()
