"""一括取込: concluded guarantees from a surety's core system, as one CSV.

The whole file is validated first (types, required values, the business
rules of rules.check_terms with each orderer's adoption of electronic
delivery, duplicates within the file and against the database, unknown
parties). If any line is bad, nothing is imported and the report names
every bad line, column and reason. Otherwise every guarantee, its
certificate version 1, its access key (電子交付) and its audit entry are
written in one transaction.

100,000 lines must import in well under two minutes, so the writes are
bulk inserts and the lookups are done once per file, not once per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from esurety.audit.services import AuditItem, audit_record, audit_record_many
from esurety.core.bulk import bulk_insert
from esurety.core.clock import business_date
from esurety.core.errors import DomainError
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory, kind_full_name
from esurety.core.normalize import normalize_guarantee_number
from esurety.core.wareki import ERAS, format_wareki
from esurety.guarantees import keys
from esurety.guarantees.models import (
    AccessKey,
    Certificate,
    Guarantee,
    GuaranteeStatus,
    ImportBatch,
    ImportStatus,
    NumberSeries,
)
from esurety.guarantees.rules import AdvanceFacts, Terms, check_terms
from esurety.guarantees.services.authority import APPROVER_ROLES, NotPermitted, require_staff
from esurety.guarantees.services.issuance import certificate_snapshot
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Branch, Contractor, ElectronicAdoption, Orderer, SuretyCompany, User

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Files up to this many lines are processed at once in the request; larger ones by the worker.
SYNC_LINE_LIMIT = 1_000
MAX_FILE_BYTES = 64 * 1024 * 1024
# The report keeps this many errors; a file that is wrong throughout (a wrong
# export) would otherwise store millions of identical messages.
MAX_REPORTED_ERRORS = 10_000
# The summary mail lists this many numbers; the rest are in the portal's list.
MAIL_LIST_LIMIT = 100
QUERY_CHUNK = 5_000


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


class ImportConflict(Exception):
    """Something changed between validation and the writes (a number taken meanwhile)."""


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


def _clean(value: str) -> str:
    # NFKC: 全角 digits, letters and brackets from the core system become half-width.
    # Only for codes, dates, amounts and choices: names are compared as registered.
    return unicodedata.normalize("NFKC", value).strip()


# Columns whose value is a name or free text, kept as written (only trimmed).
TEXT_COLUMNS = frozenset({"取次場所", "保証契約者", "発注者", "工事名", "預託金融機関"})


def _header_key(value: str) -> str:
    return re.sub(r"\s+", "", _clean(value))


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


def parse_yen(text: str) -> int | None:
    value = text.replace(",", "").replace("円", "").replace("¥", "").replace(" ", "")
    if not value.isdigit() or not value.isascii():
        return None
    return int(value)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


# -- validation --------------------------------------------------------------------------------


def _parse_row(line: int, values: dict[str, str], result: Validation, today: dt.date) -> Row:
    row = Row(line=line)

    def bad(column: str, message: str) -> None:
        row.ok = False
        result.add(line, column, message)

    def required(column: str) -> str:
        value = values.get(column, "")
        if value == "":
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
        if raw_id.isdigit() and raw_id.isascii():
            row.contractor_id = int(raw_id)
        else:
            bad("保証契約者ID", f"保証契約者ID「{raw_id}」は数字ではありません。")
    elif not row.contractor_name:
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


def _chunks(items: Sequence[T], size: int = QUERY_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class _Adoption:
    kind: str
    work_category: str
    effective_from: dt.date
    effective_until: dt.date | None


def _accepts(adoptions: Iterable[_Adoption], *, kind: str, work_category: str, contract_date: dt.date) -> bool:
    # The same test as Orderer.accepts_electronic, on rows read once per file.
    return any(
        a.kind == kind
        and a.work_category == work_category
        and a.effective_from <= contract_date
        and (a.effective_until is None or a.effective_until >= contract_date)
        for a in adoptions
    )


def _series_for(series: dict[tuple[int, str], NumberSeries], branch_id: int, kind: str) -> NumberSeries | None:
    return series.get((branch_id, kind)) or series.get((branch_id, ""))


NaturalKey = tuple[int, int, str, str, dt.date]


def _natural_key(row: Row) -> NaturalKey | None:
    # The same works, kind and contract date for the same parties: a line entered twice.
    if row.contractor is None or row.orderer is None or row.kind is None or row.contract_date is None:
        return None
    return (row.contractor.pk, row.orderer.pk, row.kind, row.work_name, row.contract_date)


def import_validate(*, surety: SuretyCompany, by: User, content: bytes, today: dt.date) -> Validation:
    """Check the whole file. `result.errors` empty means every line can be imported."""
    result = Validation()
    try:
        text, result.encoding = decode(content)
    except DomainError as exc:
        result.add(1, "", exc.message)
        return result

    rows_iter = _rows(text)
    header_line = next(rows_iter, None)
    if header_line is None:
        result.add(1, "", "ファイルが空です。1行目に見出し行、2行目以降にデータを入れてください。")
        return result
    header = [_header_key(h) for h in header_line[1]]
    known = {_header_key(n): n for n in COLUMN_NAMES}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name == "":
            continue
        column = known.get(name)
        if column is None:
            result.add(1, name, f"見出し「{name}」は取込の項目にありません。")
        elif column in positions:
            result.add(1, column, f"見出し「{column}」が2回あります。")
        else:
            positions[column] = index
    for spec in COLUMNS:
        if spec.required == "必須" and spec.name not in positions:
            result.add(1, spec.name, f"見出し「{spec.name}」がありません。")
    if "保証契約者" not in positions and "保証契約者ID" not in positions:
        result.add(1, "保証契約者", "見出し「保証契約者」または「保証契約者ID」がありません。")
    if result.error_count:
        return result

    width = len(header)
    for line, cells in rows_iter:
        if not any(c.strip() for c in cells):
            continue  # blank lines (Excel leaves ",,,," at the end)
        if len(cells) != width:
            result.line_count += 1
            result.add(
                line, "", f"項目の数が{len(cells)}個です（見出し行は{width}個）。区切りのカンマを確認してください。"
            )
            continue
        values = {
            column: cells[index].strip() if column in TEXT_COLUMNS else _clean(cells[index])
            for column, index in positions.items()
        }
        result.line_count += 1
        result.rows.append(_parse_row(line, values, result, today))
    if not result.line_count:
        result.add(2, "", "データ行がありません。")
        return result

    _check_references(surety=surety, by=by, result=result)
    return result


def _check_references(*, surety: SuretyCompany, by: User, result: Validation) -> None:
    rows = result.rows

    def bad(row: Row, column: str, message: str) -> None:
        row.ok = False
        result.add(row.line, column, message)

    # Parties: one query each for the whole file.
    branches = {b.name: b for b in Branch.objects.filter(surety=surety).select_related("surety")}
    contractor_ids = sorted({r.contractor_id for r in rows if r.contractor_id is not None})
    by_id: dict[int, Contractor] = {}
    for chunk in _chunks(contractor_ids):
        by_id.update(Contractor.objects.in_bulk(list(chunk)))
    names = sorted({r.contractor_name for r in rows if r.contractor_id is None and r.contractor_name})
    by_name: dict[str, list[Contractor]] = defaultdict(list)
    for name_chunk in _chunks(names):
        for c in Contractor.objects.filter(name__in=list(name_chunk)):
            by_name[c.name].append(c)
    orderers = {
        o.name: o for o in Orderer.objects.filter(name__in=sorted({r.orderer_name for r in rows if r.orderer_name}))
    }
    adoptions: dict[int, list[_Adoption]] = defaultdict(list)
    for a in ElectronicAdoption.objects.filter(orderer__in=list(orderers.values())):
        adoptions[a.orderer_id].append(_Adoption(a.kind, a.work_category, a.effective_from, a.effective_until))

    for row in rows:
        if row.branch_name:
            row.branch = branches.get(row.branch_name)
            if row.branch is None:
                bad(row, "取次場所", f"取次場所「{row.branch_name}」は{surety.name}に登録されていません。")
            elif by.branch_id is not None and row.branch.pk != by.branch_id:
                bad(row, "取次場所", f"取次場所「{row.branch_name}」の案件は取り込めません（自支店の案件のみ）。")
        if row.contractor_id is not None:
            row.contractor = by_id.get(row.contractor_id)
            if row.contractor is None:
                bad(row, "保証契約者ID", f"保証契約者ID {row.contractor_id} は登録されていません。")
            elif row.contractor_name and row.contractor_name != row.contractor.name.strip():
                bad(
                    row,
                    "保証契約者",
                    f"保証契約者ID {row.contractor_id} の名称は「{row.contractor.name}」です"
                    f"（「{row.contractor_name}」と一致しません）。",
                )
        elif row.contractor_name:
            found = by_name.get(row.contractor_name, [])
            if not found:
                bad(row, "保証契約者", f"保証契約者「{row.contractor_name}」は登録されていません。")
            elif len(found) > 1:
                bad(
                    row,
                    "保証契約者",
                    f"「{row.contractor_name}」という保証契約者が複数あります。保証契約者IDを指定してください。",
                )
            else:
                row.contractor = found[0]
        if row.orderer_name:
            row.orderer = orderers.get(row.orderer_name)
            if row.orderer is None:
                bad(row, "発注者", f"発注者「{row.orderer_name}」は登録されていません。")

    _check_numbers(rows, result, bad)
    _check_rules(rows, adoptions, result, bad)
    _check_duplicates(rows, bad)
    _check_capacity(rows, bad)


def _check_numbers(rows: list[Row], result: Validation, bad: Any) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if row.number:
            if row.number in first_line:
                bad(row, "保証契約番号", f"保証契約番号 {row.number} が{first_line[row.number]}行目と重複しています。")
            else:
                first_line[row.number] = row.line
    numbers = sorted(first_line)
    existing: set[str] = set()
    for chunk in _chunks(numbers):
        existing.update(Guarantee.objects.filter(number__in=list(chunk)).values_list("number", flat=True))
    # A number a series would still hand out would clash with a later conclusion.
    free_ranges = [
        (s.next_number, s.last_number, s.branch.name)
        for s in NumberSeries.objects.select_related("branch").filter(next_number__lte=F("last_number"))
    ]
    for row in rows:
        if not row.number:
            continue
        if row.number in existing:
            bad(row, "保証契約番号", f"保証契約番号 {row.number} はすでに登録されています。")
            continue
        value = int(row.number)
        for low, high, branch_name in free_ranges:
            if low <= value <= high:
                bad(
                    row,
                    "保証契約番号",
                    f"保証契約番号 {row.number} は{branch_name}の採番範囲の未使用番号です。"
                    "空欄にして採番するか、範囲外の番号を指定してください。",
                )
                break


def _advance_facts(
    row: Row, in_file: dict[str, Row], in_db: dict[str, Guarantee], surety_id: int
) -> AdvanceFacts | None:
    if not row.advance_number:
        return None
    contractor_id = row.contractor.pk if row.contractor else None
    orderer_id = row.orderer.pk if row.orderer else None
    source = in_file.get(row.advance_number)
    if source is not None:
        return AdvanceFacts(
            number=row.advance_number,
            kind=source.kind or "",
            is_active=True,
            same_parties=(
                source.contractor is not None
                and source.contractor.pk == contractor_id
                and source.orderer is not None
                and source.orderer.pk == orderer_id
            ),
            work_name=source.work_name,
            guaranteed_amount=source.guaranteed_amount or 0,
        )
    g = in_db.get(row.advance_number)
    if g is None:
        return None
    return AdvanceFacts(
        number=g.number,
        kind=g.kind,
        is_active=g.status == GuaranteeStatus.ACTIVE,
        same_parties=g.surety_id == surety_id and g.contractor_id == contractor_id and g.orderer_id == orderer_id,
        work_name=g.work_name,
        guaranteed_amount=g.guaranteed_amount,
    )


def _check_rules(rows: list[Row], adoptions: dict[int, list[_Adoption]], result: Validation, bad: Any) -> None:
    in_file = {r.number: r for r in rows if r.number}
    wanted = sorted({r.advance_number for r in rows if r.advance_number and r.advance_number not in in_file})
    in_db: dict[str, Guarantee] = {}
    for chunk in _chunks(wanted):
        for g in Guarantee.objects.filter(number__in=list(chunk)).only(
            "number", "kind", "status", "surety_id", "contractor_id", "orderer_id", "work_name", "guaranteed_amount"
        ):
            in_db[g.number] = g
    for row in rows:
        if (
            row.kind is None
            or row.work_category is None
            or row.delivery_method is None
            or row.contract_date is None
            or row.completion_date is None
            or row.contract_price is None
            or row.guaranteed_amount is None
            or row.low_bid is None
            or not row.work_name
        ):
            continue  # already reported as a type error
        if row.advance_number and row.advance_number not in in_file and row.advance_number not in in_db:
            bad(row, "前払金保証番号", f"前払金保証 {row.advance_number} が見つかりません。")
            continue
        branch_surety = row.branch.surety_id if row.branch else 0
        facts = _advance_facts(row, in_file, in_db, branch_surety)
        if facts is not None and row.kind not in (GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE):
            bad(row, "前払金保証番号", "前払金保証番号は中間前払・契約の行にのみ指定します。")
            continue
        accepts = row.orderer is not None and _accepts(
            adoptions.get(row.orderer.pk, ()),
            kind=row.kind,
            work_category=row.work_category,
            contract_date=row.contract_date,
        )
        terms = Terms(
            kind=row.kind,
            work_category=row.work_category,
            work_name=row.work_name,
            contract_date=row.contract_date,
            completion_date=row.completion_date,
            contract_price=row.contract_price,
            guaranteed_amount=row.guaranteed_amount,
            low_bid=row.low_bid,
            deposit_bank=row.deposit_bank,
            delivery_method=row.delivery_method,
        )
        orderer_name = row.orderer.name if row.orderer else row.orderer_name
        for violation in check_terms(
            terms, orderer_name=orderer_name, orderer_accepts_electronic=accepts, advance=facts
        ):
            bad(row, FIELD_COLUMNS.get(violation.field, ""), violation.message)


def _check_duplicates(rows: list[Row], bad: Any) -> None:
    first_line: dict[NaturalKey, int] = {}
    for row in rows:
        key = _natural_key(row)
        if key is None:
            continue
        if key in first_line:
            bad(
                row,
                "工事名",
                f"{first_line[key]}行目と同じ保証契約（保証契約者・発注者・区分・工事名・契約締結日）です。",
            )
        else:
            first_line[key] = row.line
    if not first_line:
        return
    # Against the database: the same file uploaded twice with empty numbers must not double the guarantees.
    contractor_ids = sorted({k[0] for k in first_line})
    dates = [k[4] for k in first_line]
    existing: dict[NaturalKey, str] = {}
    for chunk in _chunks(contractor_ids, 500):
        for c_id, o_id, kind, work_name, contract_date, number in Guarantee.objects.filter(
            contractor_id__in=list(chunk), contract_date__gte=min(dates), contract_date__lte=max(dates)
        ).values_list("contractor_id", "orderer_id", "kind", "work_name", "contract_date", "number"):
            existing[(c_id, o_id, kind, work_name, contract_date)] = number
    for row in rows:
        key = _natural_key(row)
        found = existing.get(key) if key is not None else None
        if found is not None:
            bad(row, "工事名", f"同じ保証契約がすでに登録されています（保証契約番号 {found}）。")


def _check_capacity(rows: list[Row], bad: Any) -> None:
    needed: dict[int, list[Row]] = defaultdict(list)
    series = {(s.branch_id, s.kind): s for s in NumberSeries.objects.all()}
    for row in rows:
        if row.number or row.branch is None or row.kind is None:
            continue
        s = _series_for(series, row.branch.pk, row.kind)
        if s is None:
            bad(row, "保証契約番号", f"{row.branch.name}に保証契約番号の採番範囲がありません。番号を指定してください。")
        else:
            needed[s.pk].append(row)
    by_pk = {s.pk: s for s in series.values()}
    for pk, wanting in needed.items():
        s = by_pk[pk]
        room = s.last_number - s.next_number + 1
        for row in wanting[room:]:
            bad(row, "保証契約番号", f"{s.branch.name}の採番範囲の残り（{room}件）を超えています。")


# -- writing -----------------------------------------------------------------------------------


def _allocate(rows: list[Row]) -> None:
    """Give numbers to the lines without one, from their branch's series, under its row lock."""
    wanting = [r for r in rows if not r.number]
    if not wanting:
        return
    branch_ids = sorted({r.branch.pk for r in wanting if r.branch})
    # Locked in a fixed order (by id) so that two imports cannot deadlock.
    locked = list(NumberSeries.objects.select_for_update().filter(branch_id__in=branch_ids).order_by("id"))
    series = {(s.branch_id, s.kind): s for s in locked}
    for row in wanting:
        assert row.branch is not None and row.kind is not None
        s = _series_for(series, row.branch.pk, row.kind)
        if s is None or s.next_number > s.last_number:
            raise ImportConflict("保証契約番号の採番範囲が足りなくなりました。")
        row.number = f"{s.next_number:010d}"
        s.next_number += 1
    for s in locked:
        NumberSeries.objects.filter(pk=s.pk).update(next_number=s.next_number)


def _guarantee(row: Row, surety: SuretyCompany, now: dt.datetime) -> Guarantee:
    assert row.branch and row.contractor and row.orderer and row.kind and row.work_category
    assert row.contract_date and row.completion_date and row.delivery_method and row.issued_on
    assert row.contract_price is not None and row.guaranteed_amount is not None
    # Ids rather than objects: setting a relation through its descriptor costs more than
    # everything else in building 100,000 instances.
    return Guarantee(
        number=row.number,
        surety_id=surety.pk,
        branch_id=row.branch.pk,
        contractor_id=row.contractor.pk,
        orderer_id=row.orderer.pk,
        kind=row.kind,
        work_category=row.work_category,
        work_name=row.work_name,
        contract_date=row.contract_date,
        completion_date=row.completion_date,
        contract_price=row.contract_price,
        contract_price_consideration=row.contract_price_consideration,
        guaranteed_amount=row.guaranteed_amount,
        low_bid=bool(row.low_bid),
        deposit_bank=row.deposit_bank,
        delivery_method=row.delivery_method,
        period_end=row.completion_date,
        status=GuaranteeStatus.ACTIVE,
        concluded_at=now,
        current_version=1,
        latest_issued_on=row.issued_on,
        is_amended=False,
    )


def _certificate(g: Guarantee, row: Row, surety: SuretyCompany, by: User, now: dt.datetime) -> Certificate:
    # The same snapshot as a conclusion's, built in memory for one bulk insert.
    assert row.branch and row.contractor and row.orderer and row.issued_on
    return certificate_snapshot(
        guarantee=g,
        surety=surety,
        branch=row.branch,
        contractor=row.contractor,
        orderer=row.orderer,
        version=1,
        is_amendment=False,
        issued_on=row.issued_on,
        issued_at=now,
        by=by,
    )


def _access_keys(guarantees: list[Guarantee], by: User, now: dt.datetime) -> list[AccessKey]:
    """One fresh key per electronic guarantee; digests unique among themselves and in the database."""
    drafts: dict[int, str] = {g.pk: keys.generate_key() for g in guarantees}
    digests = {pk: keys.key_digest(key) for pk, key in drafts.items()}
    unchecked = set(drafts)
    for _ in range(5):
        # With millions of keys a random repeat is possible (birthday bound): draw again for those.
        owner: dict[str, int] = {}
        clash: set[int] = set()
        for pk, digest in digests.items():
            if digest in owner:
                clash.add(pk)
            else:
                owner[digest] = pk
        wanted = sorted(digests[pk] for pk in unchecked)
        for chunk in _chunks(wanted):
            for taken in AccessKey.objects.filter(digest__in=list(chunk)).values_list("digest", flat=True):
                clash.add(owner[taken])
        if not clash:
            break
        for pk in clash:
            drafts[pk] = keys.generate_key()
            digests[pk] = keys.key_digest(drafts[pk])
        unchecked = clash
    by_pk = {g.pk: g for g in guarantees}
    return [
        AccessKey(
            guarantee_id=pk,
            digest=digests[pk],
            ciphertext=keys.encrypt_key(key, number=by_pk[pk].number),
            created_at=now,
            created_by_id=by.pk,
        )
        for pk, key in drafts.items()
    ]


def _summary_mails(surety: SuretyCompany, rows: list[Row], batch: ImportBatch, now: dt.datetime) -> int:
    """One お知らせ per contractor user listing the new electronic certificates, not one per guarantee."""
    by_contractor: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.delivery_method == DeliveryMethod.ELECTRONIC and row.contractor is not None:
            by_contractor[row.contractor.pk].append(row)
    sent = 0
    for contractor_id, items in by_contractor.items():
        items.sort(key=lambda r: r.number)
        contractor = items[0].contractor
        assert contractor is not None
        listed = [
            {
                "number": r.number,
                "kind_full_name": kind_full_name(r.kind or ""),
                "work_name": r.work_name,
                "orderer_name": r.orderer.name if r.orderer else r.orderer_name,
                "issued_on": format_wareki(r.issued_on, padded=False),
            }
            for r in items[:MAIL_LIST_LIMIT]
        ]
        context = {
            "contractor_name": contractor.name,
            "surety_name": surety.name,
            "count": len(items),
            "rows": listed,
            "more": max(0, len(items) - MAIL_LIST_LIMIT),
        }
        addresses = (
            User.objects.filter(contractor_id=contractor_id, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        # One message per user: colleagues' addresses are not shown to each other.
        for address in addresses:
            if outbox_enqueue(template="guarantees_imported", to=[address], context=context, at=now, obj=batch):
                sent += 1
    return sent


def _snapshot(g: Guarantee, batch: ImportBatch) -> dict[str, Any]:
    return {
        "number": g.number,
        "version": 1,
        "kind": g.kind,
        "work_name": g.work_name,
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "electronic": g.delivery_method == DeliveryMethod.ELECTRONIC,
        "status": g.status,
        "import_batch": batch.pk,
    }


class _Phases:
    """Durations of the import's steps, logged: where the time of a big file goes."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        logger.info("import batch %s: %s %.1f s", self.batch_id, name, now - self.last)
        self.last = now


def _write(*, batch: ImportBatch, rows: list[Row], by: User, now: dt.datetime) -> list[Guarantee]:
    surety = batch.surety
    phases = _Phases(batch.pk)
    _allocate(rows)
    phases.done("numbers")
    # Advances first: interim and performance lines of the same file point at them.
    in_file = {r.number for r in rows}
    first = [r for r in rows if not (r.advance_number and r.advance_number in in_file)]
    second = [r for r in rows if r.advance_number and r.advance_number in in_file]
    outside = sorted({r.advance_number for r in rows if r.advance_number and r.advance_number not in in_file})
    advance_ids: dict[str, int] = {}
    for chunk in _chunks(outside):
        advance_ids.update(Guarantee.objects.filter(number__in=list(chunk)).values_list("number", "id"))

    created: list[Guarantee] = []
    for group in (first, second):
        objs = []
        for row in group:
            g = _guarantee(row, surety, now)
            if row.advance_number:
                g.advance_guarantee_id = advance_ids[row.advance_number]
            objs.append(g)
        bulk_insert(objs)
        for g in objs:
            advance_ids[g.number] = g.pk
        created.extend(objs)
    phases.done("guarantees")

    row_of = {r.number: r for r in rows}
    bulk_insert([_certificate(g, row_of[g.number], surety, by, now) for g in created])
    phases.done("certificates")
    electronic = [g for g in created if g.delivery_method == DeliveryMethod.ELECTRONIC]
    bulk_insert(_access_keys(electronic, by, now))
    phases.done("access keys")
    # Last, so that the chain head (which every audited write waits for) is held briefly.
    audit_record_many(
        actor=by,
        at=now,
        items=[
            AuditItem(
                action="guarantee.import",
                object_type="Guarantee",
                object_id=str(g.pk),
                after=_snapshot(g, batch),
                surety_id=surety.pk,
            )
            for g in created
        ],
    )
    phases.done("audit entries")
    return created


# -- the batch ---------------------------------------------------------------------------------


def require_importer(by: User, surety: SuretyCompany) -> None:
    require_staff(by, surety=surety, branch=None)
    if by.role not in APPROVER_ROLES:
        # An import concludes guarantees without the four-eyes review: approvers only.
        raise NotPermitted("一括取込の権限がありません（承認者・支店長・管理者のみ）。")


@transaction.atomic
def import_batch_upload(*, by: User, file_name: str, content: bytes, now: dt.datetime) -> ImportBatch:
    """Store an uploaded CSV as a batch 「検証中」; import_batch_process does the rest."""
    if by.surety is None:
        raise NotPermitted("保証事業会社の職員のみ取り込めます。")
    require_importer(by, by.surety)
    if not content:
        raise DomainError("ファイルが空です。")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            f"ファイルが大きすぎます（{MAX_FILE_BYTES // 1024 // 1024}MBまで）。分割して取り込んでください。"
        )
    batch = ImportBatch.objects.create(
        surety=by.surety,
        uploaded_by=by,
        uploaded_at=now,
        file_name=file_name[:255],
        content=content,
        file_size=len(content),
        status=ImportStatus.VALIDATING,
    )
    audit_record(
        actor=by,
        action="import_batch.upload",
        obj=batch,
        at=now,
        after={"file_name": batch.file_name, "file_size": batch.file_size, "status": batch.status},
        surety_id=batch.surety_id,
    )
    return batch


def estimated_lines(content: bytes) -> int:
    return content.count(b"\n")


def _finish(batch: ImportBatch, *, status: str, by: User, now: dt.datetime, extra: dict[str, Any]) -> None:
    before = {"status": batch.status}
    batch.status = status
    batch.finished_at = now
    batch.save(
        update_fields=[
            "status",
            "finished_at",
            "started_at",
            "encoding",
            "line_count",
            "imported_count",
            "error_count",
            "errors",
        ]
    )
    audit_record(
        actor=by,
        action="import_batch.import" if status == ImportStatus.IMPORTED else "import_batch.reject",
        obj=batch,
        at=now,
        before=before,
        after={"status": status, "line_count": batch.line_count, **extra},
        surety_id=batch.surety_id,
    )


def import_batch_process(*, batch_id: int, now: dt.datetime) -> ImportBatch | None:
    """Validate the whole file, then import everything or nothing. None if another worker has it."""
    try:
        with transaction.atomic():
            # The row lock is held to the end: a second worker skips this batch,
            # and if this one dies the lock goes with it and the batch is retried.
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("surety", "uploaded_by", "uploaded_by__surety")
                .filter(pk=batch_id, status=ImportStatus.VALIDATING)
                .first()
            )
            if batch is None:
                return None
            by = batch.uploaded_by
            batch.started_at = now
            result = import_validate(surety=batch.surety, by=by, content=bytes(batch.content), today=business_date(now))
            batch.encoding = result.encoding
            batch.line_count = result.line_count
            if result.error_count:
                batch.error_count = result.error_count
                # In file order (type errors are found before reference errors), columns as in the header.
                order = {name: i for i, name in enumerate(COLUMN_NAMES)}
                ordered = sorted(result.errors, key=lambda e: (e.line, order.get(e.column, -1)))
                batch.errors = [e.as_dict() for e in ordered]
                _finish(batch, status=ImportStatus.REJECTED, by=by, now=now, extra={"error_count": result.error_count})
                return batch
            try:
                require_importer(by, batch.surety)
            except NotPermitted as exc:
                batch.error_count = 1
                batch.errors = [LineError(0, "", exc.message).as_dict()]
                _finish(batch, status=ImportStatus.REJECTED, by=by, now=now, extra={"error_count": 1})
                return batch
            logger.info("import batch %s: validated %s lines", batch.pk, result.line_count)
            with transaction.atomic():
                created = _write(batch=batch, rows=result.rows, by=by, now=now)
                mails = _summary_mails(batch.surety, result.rows, batch, now)
            batch.imported_count = len(created)
            _finish(
                batch,
                status=ImportStatus.IMPORTED,
                by=by,
                now=now,
                extra={"imported_count": len(created), "mails": mails},
            )
            return batch
    except (ImportConflict, IntegrityError) as exc:
        logger.warning("import batch %s: conflict while writing: %s", batch_id, exc)
        reason = "取込中に他の処理と番号などが重複しました。何も取り込んでいません。もう一度アップロードしてください。"
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        reason = "システムエラーのため取り込めませんでした。何も取り込んでいません。管理者に連絡してください。"
    return _fail(batch_id=batch_id, reason=reason, now=now)


@transaction.atomic
def _fail(*, batch_id: int, reason: str, now: dt.datetime) -> ImportBatch | None:
    batch = (
        ImportBatch.objects.select_for_update(of=("self",)).select_related("uploaded_by").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != ImportStatus.VALIDATING:
        return batch
    batch.error_count = 1
    batch.errors = [LineError(0, "", reason).as_dict()]
    _finish(batch, status=ImportStatus.REJECTED, by=batch.uploaded_by, now=now, extra={"error_count": 1})
    return batch


def import_batches_process_pending(*, now: dt.datetime, limit: int = 1) -> int:
    """For the worker: process the oldest waiting batches; returns how many were finished."""
    done = 0
    pending = list(
        ImportBatch.objects.filter(status=ImportStatus.VALIDATING)
        .order_by("uploaded_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        if import_batch_process(batch_id=pk, now=now) is not None:
            done += 1
    return done


def imports_for_staff(*, user: User) -> QuerySet[ImportBatch]:
    """The batches a staff member may see: their surety's; branch staff those of their branch's staff."""
    if user.surety_id is None:
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.filter(surety_id=user.surety_id)
    if user.branch_id is not None:
        qs = qs.filter(uploaded_by__branch_id=user.branch_id)
    return qs.defer("content").select_related("uploaded_by").order_by("-uploaded_at", "-id")


def template_csv() -> str:
    """The header and one example line, for the download on the page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()
