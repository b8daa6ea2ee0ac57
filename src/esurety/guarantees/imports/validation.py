"""一括取込: the whole file checked before anything is written (types, rules, duplicates, parties).

Each line is read by lines.py; here the file as a whole: its header, the references to branches,
parties and number series, the business rules, duplicates within the file and in the database.
LineError, Row and Validation are re-exported from here for existing imports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from esurety.core.errors import DomainError
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.imports.columns import (
    COLUMN_NAMES,
    COLUMNS,
    FIELD_COLUMNS,
    MAX_CELL_CHARS,
    TEXT_COLUMNS,
    clean_cell,
    csv_rows,
    decode,
    header_key,
)
from esurety.guarantees.imports.lines import (
    HEADER_MAX_CHARS,
    MAX_REPORTED_ERRORS,
    LineError,
    Row,
    Validation,
    cell_error,
    parse_row,
)
from esurety.guarantees.models import Guarantee, GuaranteeStatus, NumberSeries
from esurety.guarantees.rules import AdvanceFacts, Terms, check_terms
from esurety.parties.models import Branch, Contractor, ElectronicAdoption, Orderer, SuretyCompany, User

__all__ = [
    "FOREIGN_NUMBER",
    "MAX_REPORTED_ERRORS",
    "LineError",
    "Row",
    "Validation",
    "chunks",
    "import_validate",
    "series_for",
]

T = TypeVar("T")

QUERY_CHUNK = 5_000


def chunks(items: Sequence[T], size: int = QUERY_CHUNK) -> Iterator[Sequence[T]]:
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


def series_for(series: dict[tuple[int, str], NumberSeries], branch_id: int, kind: str) -> NumberSeries | None:
    return series.get((branch_id, kind)) or series.get((branch_id, ""))


NaturalKey = tuple[int, int, str, str, dt.date]


def _natural_key(row: Row) -> NaturalKey | None:
    # The same works, kind and contract date for the same parties: a line entered twice.
    if (
        row.contractor is None
        or row.orderer is None
        or row.kind is None
        or row.contract_date is None
        or not row.work_name  # missing or unreadable: reported already
    ):
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

    rows_iter = csv_rows(text)
    header_line = next(rows_iter, None)
    if header_line is None:
        result.add(1, "", "ファイルが空です。1行目に見出し行、2行目以降にデータを入れてください。")
        return result
    header = [header_key(h) for h in header_line[1]]
    known = {header_key(n): n for n in COLUMN_NAMES}
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name == "":
            continue
        header_error = cell_error(name, limit=HEADER_MAX_CHARS)
        if header_error is not None:
            # Named by position: the header itself is what cannot be shown.
            result.add(1, f"{index + 1}列目", f"見出し: {header_error}")
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
        result.line_count += 1
        if len(cells) != width:
            result.add(
                line, "", f"項目の数が{len(cells)}個です（見出し行は{width}個）。区切りのカンマを確認してください。"
            )
            continue
        unreadable: set[str] = set()
        for column, index in positions.items():
            message = cell_error(cells[index], limit=MAX_CELL_CHARS)
            if message is not None:
                result.add(line, column, message)
                unreadable.add(column)
        # An unreadable cell is reported once, above, and read no further: every other check
        # would quote it, and a message must not carry 200,000 characters or a NUL. The
        # line's other cells are still checked, so that one upload names all its problems.
        values = {
            column: cells[index].strip() if column in TEXT_COLUMNS else clean_cell(cells[index])
            for column, index in positions.items()
            if column not in unreadable
        }
        result.rows.append(parse_row(line, values, result, today, unreadable=unreadable))
    if rows_iter.broken is not None:
        result.line_count += 1
        result.add(rows_iter.broken, "", 'CSVとして読み取れない行があります。引用符（"）の対応を確認してください。')
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
    for chunk in chunks(contractor_ids):
        by_id.update(Contractor.objects.in_bulk(list(chunk)))
    names = sorted({r.contractor_name for r in rows if r.contractor_id is None and r.contractor_name})
    by_name: dict[str, list[Contractor]] = defaultdict(list)
    for name_chunk in chunks(names):
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

    _check_numbers(rows, result, bad, surety=surety)
    _check_rules(rows, adoptions, result, bad, surety=surety)
    _check_duplicates(rows, bad, surety=surety)
    _check_capacity(rows, bad)


FOREIGN_NUMBER = (
    "保証契約番号 {number} は自社の番号として使用できません。空欄にして採番するか、自社の番号を指定してください。"
)


def _check_numbers(rows: list[Row], result: Validation, bad: Any, *, surety: SuretyCompany) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if row.number:
            if row.number in first_line:
                bad(row, "保証契約番号", f"保証契約番号 {row.number} が{first_line[row.number]}行目と重複しています。")
            else:
                first_line[row.number] = row.line
    numbers = sorted(first_line)
    # Numbers are unique across the portal, so another surety's number cannot be imported; but the
    # answer must not tell whether it is another surety's guarantee or its range, nor whose.
    taken: dict[str, bool] = {}  # number -> is it this surety's own guarantee
    for chunk in chunks(numbers):
        for number, surety_id in Guarantee.objects.filter(number__in=list(chunk)).values_list("number", "surety_id"):
            taken[number] = surety_id == surety.pk
    # A number a series would still hand out would clash with a later conclusion.
    own_free: list[tuple[int, int, str]] = []
    foreign: list[tuple[int, int]] = []
    for s in NumberSeries.objects.select_related("branch").only(
        "first_number", "last_number", "next_number", "branch__name", "branch__surety_id"
    ):
        if s.branch.surety_id == surety.pk:
            if s.next_number <= s.last_number:
                own_free.append((s.next_number, s.last_number, s.branch.name))
        else:
            # Used or not: another surety's range is not this surety's to fill.
            foreign.append((s.first_number, s.last_number))
    for row in rows:
        if not row.number:
            continue
        own = taken.get(row.number)
        if own:
            bad(row, "保証契約番号", f"保証契約番号 {row.number} はすでに登録されています。")
            continue
        value = int(row.number)
        if own is False or any(low <= value <= high for low, high in foreign):
            bad(row, "保証契約番号", FOREIGN_NUMBER.format(number=row.number))
            continue
        for low, high, branch_name in own_free:
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


def _check_rules(
    rows: list[Row], adoptions: dict[int, list[_Adoption]], result: Validation, bad: Any, *, surety: SuretyCompany
) -> None:
    in_file = {r.number: r for r in rows if r.number}
    wanted = sorted({r.advance_number for r in rows if r.advance_number and r.advance_number not in in_file})
    # Only this surety's advances: another surety's number is answered as unknown, never with its 工事名.
    in_db: dict[str, Guarantee] = {}
    for chunk in chunks(wanted):
        for g in Guarantee.objects.filter(number__in=list(chunk), surety=surety).only(
            "number", "kind", "status", "surety_id", "contractor_id", "orderer_id", "work_name", "guaranteed_amount"
        ):
            in_db[g.number] = g
    for row in rows:
        if (
            row.unreadable
            or row.kind is None
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


def _check_duplicates(rows: list[Row], bad: Any, *, surety: SuretyCompany) -> None:
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
    for chunk in chunks(contractor_ids, 500):
        # Against this surety's own guarantees only: another surety's are not named here.
        for c_id, o_id, kind, work_name, contract_date, number in Guarantee.objects.filter(
            surety=surety, contractor_id__in=list(chunk), contract_date__gte=min(dates), contract_date__lte=max(dates)
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
        s = series_for(series, row.branch.pk, row.kind)
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
