"""The rules of the advance money at their limits, as pure functions (no database).

Limits are recomputed here in plain integer arithmetic (25/100 of the advance,
what is left of a line) so the tests do not trust the module they check.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from esurety.advances.kinds import AccountStatus, ProofKind, UseCategory, WithdrawalMethod
from esurety.advances.rules import (
    Commitment,
    LineInput,
    LineRoom,
    OverheadRule,
    PayeeInput,
    StatementFacts,
    check_payment,
    check_statement,
    check_withdrawal,
    normalize_account_number,
    normalize_kana,
    normalize_payee_name,
)
from esurety.core.errors import RuleViolation
from esurety.core.kinds import GuaranteeKind

TODAY = dt.date(2026, 5, 1)
PLANNED = dt.date(2026, 6, 30)
ADVANCES = st.integers(min_value=4, max_value=10**12)
ALLOWED = OverheadRule(numerator=25, denominator=100, contract_article="工事請負契約書第34条第5項")
PAYEE = PayeeInput(
    name="株式会社△△資材",
    bank_name="〇〇銀行",
    branch_name="本店",
    account_type="ORDINARY",
    account_number="1234567",
    holder_kana="カ)サンカクシザイ",
)


def line(category: str, amount: int, payee: str = "株式会社△△資材", line_no: int | None = None) -> LineInput:
    return LineInput(
        category=category,
        payee_name=normalize_payee_name(payee),
        amount=amount,
        planned_on=PLANNED,
        method=WithdrawalMethod.TRANSFER,
        line_no=line_no,
    )


def facts(
    lines: list[LineInput],
    *,
    advance: int,
    kind: str = GuaranteeKind.ADVANCE,
    overhead: OverheadRule | None = ALLOWED,
    committed: dict[int, Commitment] | None = None,
) -> StatementFacts:
    numbered = [
        ln if ln.line_no is not None else LineInput(**{**ln.__dict__, "line_no": i + 1}) for i, ln in enumerate(lines)
    ]
    return StatementFacts(
        kind=kind,
        advance_amount=advance,
        orderer_name="徳島市上下水道事業管理者",
        contract_date=dt.date(2026, 4, 10),
        overhead=overhead,
        lines=numbered,
        # Every named line carries every kind of proof: only the rule under test can fail.
        proofs={ln.line_no: frozenset(ProofKind.values) for ln in numbered if ln.line_no is not None},
        committed=committed or {},
    )


def fields(violations: list[RuleViolation]) -> list[str]:
    return [v.field for v in violations]


def with_overhead(advance: int, overhead: int) -> list[LineInput]:
    """An overhead line of ``overhead`` yen, the rest on 材料費, adding up to the advance."""
    return [line(UseCategory.OVERHEAD, overhead, payee="自社"), line(UseCategory.MATERIALS, advance - overhead)]


# --- The lines add up exactly to the advance ---------------------------------


@given(advance=ADVANCES, split=st.floats(min_value=0.01, max_value=0.99))
@example(advance=40_000_000, split=0.5)
def test_lines_must_add_up_to_the_advance_to_the_yen(advance: int, split: float) -> None:
    first = max(1, min(advance - 1, int(advance * split)))
    exact = [line(UseCategory.MATERIALS, first), line(UseCategory.LABOUR, advance - first, payee="未定")]
    assert check_statement(facts(exact, advance=advance)) == []

    short = [line(UseCategory.MATERIALS, first), line(UseCategory.LABOUR, advance - first - 1, payee="未定")]
    long = [line(UseCategory.MATERIALS, first), line(UseCategory.LABOUR, advance - first + 1, payee="未定")]
    for lines, words in ((short, "あと1円不足"), (long, "1円超えています")):
        violations = [v for v in check_statement(facts(lines, advance=advance)) if v.field == "lines"]
        if lines[1].amount < 1:
            continue  # a zero line is refused on its own, before the total
        assert len(violations) == 1
        assert words in violations[0].message
        assert f"{advance:,}円" in violations[0].message


def test_undecided_lines_count_in_the_total() -> None:
    lines = [line(UseCategory.MATERIALS, 30_000_000, payee="未定"), line(UseCategory.LABOUR, 10_000_000, payee="")]
    assert check_statement(facts(lines, advance=40_000_000)) == []


# --- 現場管理費・一般管理費等: at most 25/100, only where allowed, never on a 中間前払金 ---------


@given(advance=ADVANCES)
@example(advance=40_000_000)
@example(advance=40_000_003)  # 25/100 is not a whole yen: the limit is cut down
def test_overhead_exactly_25_per_100_is_allowed_and_one_yen_more_is_not(advance: int) -> None:
    limit = advance * 25 // 100
    assert check_statement(facts(with_overhead(advance, limit), advance=advance)) == []

    over = check_statement(facts(with_overhead(advance, limit + 1), advance=advance))
    assert fields(over) == ["lines.0.amount"]
    assert f"{limit:,}円以内" in over[0].message
    assert "1円超過" in over[0].message
    assert "工事請負契約書第34条第5項" in over[0].message


def test_overhead_counts_every_overhead_line_together() -> None:
    lines = [
        line(UseCategory.OVERHEAD, 6_000_000, payee="自社"),
        line(UseCategory.OVERHEAD, 4_000_001, payee="自社"),
        line(UseCategory.MATERIALS, 29_999_999),
    ]
    assert fields(check_statement(facts(lines, advance=40_000_000))) == ["lines.0.amount"]


def test_the_ratio_is_the_orderers_data_not_a_literal() -> None:
    tighter = OverheadRule(numerator=20, denominator=100, contract_article="第30条")
    assert fields(check_statement(facts(with_overhead(40_000_000, 8_000_001), advance=40_000_000, overhead=tighter)))
    assert check_statement(facts(with_overhead(40_000_000, 8_000_000), advance=40_000_000, overhead=tighter)) == []


def test_the_limit_is_worded_as_the_orderers_contract_words_it() -> None:
    # 25/100 and 20/100 are written 100分の25 and 100分の20, never reduced to 1/4 or 1/5.
    over = check_statement(facts(with_overhead(40_000_000, 10_000_001), advance=40_000_000))
    assert "前払金の100分の25の10,000,000円以内" in over[0].message
    tighter = OverheadRule(numerator=20, denominator=100, contract_article="第30条")
    over = check_statement(facts(with_overhead(40_000_000, 8_000_001), advance=40_000_000, overhead=tighter))
    assert "前払金の100分の20の8,000,000円以内" in over[0].message and "1/5" not in over[0].message


@given(advance=ADVANCES, share=st.integers(min_value=1, max_value=25))
def test_overhead_is_never_paid_from_an_interim_advance(advance: int, share: int) -> None:
    overhead = max(1, advance * share // 100)
    if overhead >= advance:
        return
    violations = check_statement(
        facts(with_overhead(advance, overhead), advance=advance, kind=GuaranteeKind.INTERIM_ADVANCE)
    )
    assert fields(violations) == ["lines.0.category"]
    assert "中間前払金" in violations[0].message


def test_overhead_needs_the_orderers_allowance_at_the_contract_date() -> None:
    violations = check_statement(facts(with_overhead(40_000_000, 1), advance=40_000_000, overhead=None))
    assert fields(violations) == ["lines.0.category"]
    assert "徳島市上下水道事業管理者の契約（令和8年4月10日締結）" in violations[0].message


# --- Proof of payee ----------------------------------------------------------


def test_proof_kinds_required_per_use() -> None:
    lines = [
        line(UseCategory.SUBCONTRACT, 10_000_000, payee="株式会社□□工業"),
        line(UseCategory.MATERIALS, 10_000_000),
        line(UseCategory.LABOUR, 10_000_000, payee="自社（直用）"),
        line(UseCategory.PREMIUM, 100_000, payee="西日本建設業保証株式会社"),
        line(UseCategory.MATERIALS, 9_900_000, payee="未定"),
    ]
    f = facts(lines, advance=40_000_000)
    none = StatementFacts(**{**f.__dict__, "proofs": {}})
    violations = check_statement(none)
    # 外注費 and the named 材料費 line need a proof; labour, the premium and a 未定 line do not.
    assert fields(violations) == ["lines.0.proofs", "lines.1.proofs"]
    assert "施工体系図・施工体制台帳・下請契約書・注文請書のいずれか" in violations[0].message
    assert "注文請書・納品書・請求書・見積書のいずれか" in violations[1].message

    wrong = StatementFacts(**{**f.__dict__, "proofs": {1: frozenset({ProofKind.INVOICE}), 2: frozenset()}})
    assert fields(check_statement(wrong)) == ["lines.0.proofs", "lines.1.proofs"]
    right = StatementFacts(
        **{**f.__dict__, "proofs": {1: frozenset({ProofKind.ORDER_ACCEPTANCE}), 2: frozenset({ProofKind.QUOTATION})}}
    )
    assert check_statement(right) == []


# --- 使途変更 keeps what is already out ----------------------------------------


def test_a_change_cannot_take_a_line_below_what_it_has_given() -> None:
    committed = {1: Commitment(category=UseCategory.MATERIALS, paid=5_000_000, pending=1_000_000)}
    keep = [line(UseCategory.MATERIALS, 6_000_000, line_no=1), line(UseCategory.LABOUR, 34_000_000, line_no=2)]
    assert check_statement(facts(keep, advance=40_000_000, committed=committed)) == []

    below = [line(UseCategory.MATERIALS, 5_999_999, line_no=1), line(UseCategory.LABOUR, 34_000_001, line_no=2)]
    assert fields(check_statement(facts(below, advance=40_000_000, committed=committed))) == ["lines.0.amount"]

    dropped = [line(UseCategory.LABOUR, 40_000_000, line_no=2)]
    assert fields(check_statement(facts(dropped, advance=40_000_000, committed=committed))) == ["lines"]

    recategorised = [line(UseCategory.REPAIR, 6_000_000, line_no=1), line(UseCategory.LABOUR, 34_000_000, line_no=2)]
    assert fields(check_statement(facts(recategorised, advance=40_000_000, committed=committed))) == [
        "lines.0.category"
    ]


# --- Withdrawals: within what is left of the line, never a 未定 line, never while stopped -----


def room(amount: int = 10_000_000, paid: int = 0, pending: int = 0, payee: str = "株式会社△△資材") -> LineRoom:
    return LineRoom(
        line_no=1,
        category=UseCategory.MATERIALS,
        payee_name=normalize_payee_name(payee),
        amount=amount,
        method=WithdrawalMethod.TRANSFER,
        paid=paid,
        pending=pending,
    )


def request(line: LineRoom | None, amount: int, *, status: str = AccountStatus.ACTIVE) -> list[RuleViolation]:
    return check_withdrawal(
        account_status=status,
        stop_reason="保証事故の調査中",
        line=line,
        amount=amount,
        desired_on=TODAY,
        today=TODAY,
        payee=PAYEE,
    )


@given(
    amount=st.integers(min_value=1, max_value=10**11),
    paid=st.integers(min_value=0, max_value=10**11),
    pending=st.integers(min_value=0, max_value=10**11),
)
@example(amount=10_000_000, paid=3_000_000, pending=2_000_000)
def test_a_request_may_take_exactly_what_is_left_and_not_one_yen_more(amount: int, paid: int, pending: int) -> None:
    left = amount - paid - pending
    if left < 1:
        assert fields(request(room(amount, paid, pending), 1)) == ["amount"]
        return
    assert request(room(amount, paid, pending), left) == []
    over = request(room(amount, paid, pending), left + 1)
    assert fields(over) == ["amount"]
    assert f"残額 {left:,}円" in over[0].message
    assert "1円超過" in over[0].message


def test_nothing_is_requested_against_an_undecided_line() -> None:
    violations = request(room(payee="未定"), 1)
    assert fields(violations) == ["line_no"]
    assert "未定" in violations[0].message


def test_nothing_is_requested_while_the_account_is_stopped_or_closed() -> None:
    stopped = request(room(), 1, status=AccountStatus.STOPPED)
    assert fields(stopped) == ["account"]
    assert "保証事故の調査中" in stopped[0].message
    assert fields(request(room(), 1, status=AccountStatus.CLOSED)) == ["account"]


def test_a_request_names_a_full_account_for_a_transfer() -> None:
    bare = check_withdrawal(
        account_status=AccountStatus.ACTIVE,
        stop_reason="",
        line=room(),
        amount=1,
        desired_on=TODAY - dt.timedelta(days=1),
        today=TODAY,
        payee=PayeeInput(name="未定", account_number="12a", holder_kana="さんかく"),
    )
    assert fields(bare) == [
        "desired_on",
        "payee_name",
        "payee_bank_name",
        "payee_branch_name",
        "payee_account_type",
        "payee_account_number",
        "payee_holder_kana",
    ]


def pay(
    *,
    line_amount: int,
    paid: int,
    balance: int,
    amount: int,
    status: str = AccountStatus.ACTIVE,
    payee: str = "株式会社△△資材",
) -> list[RuleViolation]:
    return check_payment(
        account_status=status,
        stop_reason="",
        line=room(line_amount, paid=paid, payee=payee),
        balance=balance,
        amount=amount,
        paid_on=TODAY,
        requested_on=TODAY,
        today=TODAY,
    )


@given(line_amount=st.integers(min_value=1, max_value=10**11), paid_share=st.fractions(min_value=0, max_value=1))
def test_the_bank_pays_the_last_yen_of_a_line_and_not_one_more(line_amount: int, paid_share: Fraction) -> None:
    paid = int(line_amount * paid_share)
    left = line_amount - paid
    if left >= 1:
        assert pay(line_amount=line_amount, paid=paid, balance=10**12, amount=left) == []
    assert fields(pay(line_amount=line_amount, paid=paid, balance=10**12, amount=left + 1)) == ["amount"]


def test_the_bank_pays_no_more_than_the_advance_in_the_account() -> None:
    assert pay(line_amount=10_000_000, paid=0, balance=600_000, amount=600_000) == []
    violations = pay(line_amount=10_000_000, paid=0, balance=600_000, amount=600_001)
    assert fields(violations) == ["amount"]
    assert "前払金残高 600,000円" in violations[0].message


def test_the_bank_pays_nothing_while_stopped_nor_on_a_line_since_made_undecided() -> None:
    assert fields(pay(line_amount=1, paid=0, balance=1, amount=1, status=AccountStatus.STOPPED)) == ["account"]
    assert fields(pay(line_amount=1, paid=0, balance=1, amount=1, payee="未定")) == ["line_no"]


# --- What people type --------------------------------------------------------


def test_normalisation_of_names_numbers_and_kana() -> None:
    assert normalize_payee_name(" 未定 ") == ""
    assert normalize_payee_name("株式会社　△△資材") == "株式会社 △△資材"
    assert normalize_account_number("１２３-４５") == "0012345"
    assert normalize_kana("ｶ)ﾏﾙﾏﾙｹﾝｾﾂ") == "カ)マルマルケンセツ"
    assert normalize_kana("ｷｬﾂﾁｬ") == "キヤツチヤ"
