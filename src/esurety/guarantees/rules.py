"""The business rules of DESIGN.md, as pure functions over plain values.

Each broken rule becomes a RuleViolation naming the form field and the
limit, in Japanese, so the contractor sees exactly what to correct.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from esurety.core.dates import business_date_error, is_business_date
from esurety.core.errors import RuleViolation
from esurety.core.kinds import ADVANCE_KINDS, DeliveryMethod, GuaranteeKind, WorkCategory, kind_full_name
from esurety.core.money import floor_to_unit, format_yen
from esurety.core.text import text_error
from esurety.core.wareki import format_wareki

ADVANCE_UNIT = 100_000  # 10万円未満切捨
WORK_NAME_MAX = 200  # the column widths of Application / Guarantee
DEPOSIT_BANK_MAX = 100
NOTES_MAX = 2000

ADVANCE_RATIO_WORKS = Fraction(4, 10)
ADVANCE_RATIO_CONSULTING = Fraction(3, 10)
ADVANCE_RATIO_LOW_BID = Fraction(2, 10)
INTERIM_RATIO = Fraction(2, 10)
ADVANCE_PLUS_INTERIM_RATIO = Fraction(6, 10)
PERFORMANCE_MIN_RATIO = Fraction(1, 10)
PERFORMANCE_MIN_RATIO_LOW_BID = Fraction(3, 10)


def ratio_text(ratio: Fraction) -> str:
    return f"10分の{ratio * 10}"


def advance_ratio(*, work_category: str, low_bid: bool) -> Fraction:
    if low_bid:
        return ADVANCE_RATIO_LOW_BID
    if work_category == WorkCategory.CONSULTING:
        return ADVANCE_RATIO_CONSULTING
    return ADVANCE_RATIO_WORKS


def ratio_limit(price: int, ratio: Fraction) -> int:
    """Largest amount within `ratio` of `price`, cut to whole ¥100,000."""
    return floor_to_unit(price * ratio.numerator // ratio.denominator, ADVANCE_UNIT)


def advance_limit(*, price: int, work_category: str, low_bid: bool) -> int:
    return ratio_limit(price, advance_ratio(work_category=work_category, low_bid=low_bid))


def performance_min_ratio(*, low_bid: bool) -> Fraction:
    return PERFORMANCE_MIN_RATIO_LOW_BID if low_bid else PERFORMANCE_MIN_RATIO


def performance_minimum(*, price: int, low_bid: bool) -> int:
    """Smallest amount that is at least 1/10 (3/10 after 低入札) of the price, in whole yen."""
    ratio = performance_min_ratio(low_bid=low_bid)
    return -(-price * ratio.numerator // ratio.denominator)


def amount_rule_text(*, kind: str, work_category: str, low_bid: bool, price_label: str = "請負金額(総額)") -> str:
    """The amount rule of ``kind`` in words, from the ratios above (pages show it beside an amount)."""
    if kind == GuaranteeKind.ADVANCE:
        ratio = advance_ratio(work_category=work_category, low_bid=low_bid)
        return f"前払金の保証金額は、{price_label}の{ratio_text(ratio)}（10万円未満切捨て）以下です。"
    if kind == GuaranteeKind.INTERIM_ADVANCE:
        return (
            f"中間前払金の保証金額は、{price_label}の{ratio_text(INTERIM_RATIO)}以下、"
            f"前払金との合計は{ratio_text(ADVANCE_PLUS_INTERIM_RATIO)}以下です。"
        )
    if kind in (GuaranteeKind.PERFORMANCE, GuaranteeKind.PERFORMANCE_RESERVATION):
        return f"契約保証の保証金額は、{price_label}の{ratio_text(performance_min_ratio(low_bid=low_bid))}以上です。"
    return ""


def amount_rules_summary() -> str:
    """Every kind's amount rule in one line, from the ratios above (the 一括取込 page's notes)."""
    return (
        f"前払は請負金額の{ratio_text(ADVANCE_RATIO_WORKS)}・コンサルは{ratio_text(ADVANCE_RATIO_CONSULTING)}"
        f"・低入札は{ratio_text(ADVANCE_RATIO_LOW_BID)}まで、中間前払は{ratio_text(INTERIM_RATIO)}まで、"
        f"契約保証は{ratio_text(PERFORMANCE_MIN_RATIO)}以上"
    )


@dataclass(frozen=True)
class Terms:
    kind: str
    work_category: str
    work_name: str
    contract_date: dt.date
    completion_date: dt.date
    contract_price: int
    guaranteed_amount: int
    low_bid: bool
    deposit_bank: str
    delivery_method: str


@dataclass(frozen=True)
class AdvanceFacts:
    """The advance guarantee an interim or performance guarantee relies on."""

    number: str
    kind: str
    is_active: bool
    same_parties: bool  # same surety, contractor and orderer
    work_name: str
    guaranteed_amount: int


def text_violations(*, work_name: str, deposit_bank: str, notes: str = "") -> list[RuleViolation]:
    """The free text of an application: within its column and without control characters (core.text)."""
    out: list[RuleViolation] = []
    for field, label, value, limit, multiline in (
        ("work_name", "工事名", work_name, WORK_NAME_MAX, False),
        ("deposit_bank", "預託金融機関", deposit_bank, DEPOSIT_BANK_MAX, False),
        ("notes", "連絡事項等", notes, NOTES_MAX, True),
    ):
        if len(value) > limit:
            out.append(RuleViolation(field, f"{label}は{limit}文字以内で入力してください。"))
            continue
        message = text_error(value, multiline=multiline)
        if message is not None:
            out.append(RuleViolation(field, message))
    return out


def date_violations(*, contract_date: dt.date, completion_date: dt.date) -> list[RuleViolation]:
    """契約締結日 and 工事末日 within the business date range, and the works ending after they begin."""
    out: list[RuleViolation] = []
    for field, label, day in (
        ("contract_date", "契約締結日", contract_date),
        ("completion_date", "工事末日", completion_date),
    ):
        message = business_date_error(day, label=label)
        if message is not None:
            out.append(RuleViolation(field, message))
    if not out and completion_date < contract_date:
        out.append(
            RuleViolation(
                "completion_date",
                f"工事末日は契約締結日（{format_wareki(contract_date, padded=False)}）以降の日付にしてください。",
            )
        )
    return out


def check_terms(
    terms: Terms,
    *,
    orderer_name: str,
    orderer_accepts_electronic: bool,
    advance: AdvanceFacts | None,
) -> list[RuleViolation]:
    violations: list[RuleViolation] = []
    add = violations.append
    price = terms.contract_price
    amount = terms.guaranteed_amount

    if terms.work_name.strip() == "":
        add(RuleViolation("work_name", "工事名を入力してください。"))
    violations.extend(text_violations(work_name=terms.work_name, deposit_bank=terms.deposit_bank))
    if price <= 0:
        add(RuleViolation("contract_price", "請負金額(総額)は1円以上で入力してください。"))
    if amount <= 0:
        add(RuleViolation("guaranteed_amount", "保証金額は1円以上で入力してください。"))
    violations.extend(date_violations(contract_date=terms.contract_date, completion_date=terms.completion_date))
    if price > 0 and amount > price:
        add(
            RuleViolation(
                "guaranteed_amount", f"保証金額は請負金額(総額) {format_yen(price)}円を超えることはできません。"
            )
        )
    if terms.kind in ADVANCE_KINDS and not terms.deposit_bank.strip():
        add(RuleViolation("deposit_bank", "前払金の預託金融機関（例: 〇〇銀行 ▲▲支店）を入力してください。"))

    if price > 0 and amount > 0:
        violations.extend(_amount_rules(terms, advance))
    violations.extend(_dependency_rules(terms, advance))
    violations.extend(_delivery_rules(terms, orderer_name, orderer_accepts_electronic))
    return violations


def _amount_rules(terms: Terms, advance: AdvanceFacts | None) -> list[RuleViolation]:
    price = terms.contract_price
    amount = terms.guaranteed_amount
    out: list[RuleViolation] = []
    if terms.kind == GuaranteeKind.ADVANCE:
        ratio = advance_ratio(work_category=terms.work_category, low_bid=terms.low_bid)
        limit = ratio_limit(price, ratio)
        if amount > limit:
            why = "低入札の場合は" if terms.low_bid else ""
            out.append(
                RuleViolation(
                    "guaranteed_amount",
                    f"前払金の保証金額は、{why}請負金額(総額)の{ratio_text(ratio)}（10万円未満切捨て）"
                    f"の{format_yen(limit)}円以下にしてください。",
                )
            )
    elif terms.kind == GuaranteeKind.INTERIM_ADVANCE:
        limit = ratio_limit(price, INTERIM_RATIO)
        if amount > limit:
            out.append(
                RuleViolation(
                    "guaranteed_amount",
                    f"中間前払金の保証金額は、請負金額(総額)の{ratio_text(INTERIM_RATIO)}（10万円未満切捨て）"
                    f"の{format_yen(limit)}円以下にしてください。",
                )
            )
        elif advance is not None:
            total_limit = ratio_limit(price, ADVANCE_PLUS_INTERIM_RATIO)
            room = max(0, total_limit - advance.guaranteed_amount)
            if advance.guaranteed_amount + amount > total_limit:
                out.append(
                    RuleViolation(
                        "guaranteed_amount",
                        f"前払金（{format_yen(advance.guaranteed_amount)}円）と中間前払金の合計は、"
                        f"請負金額(総額)の{ratio_text(ADVANCE_PLUS_INTERIM_RATIO)}の{format_yen(total_limit)}円"
                        f"以下にしてください（中間前払金は{format_yen(room)}円まで）。",
                    )
                )
    elif terms.kind in (GuaranteeKind.PERFORMANCE, GuaranteeKind.PERFORMANCE_RESERVATION):
        minimum = performance_minimum(price=price, low_bid=terms.low_bid)
        if amount < minimum:
            ratio = PERFORMANCE_MIN_RATIO_LOW_BID if terms.low_bid else PERFORMANCE_MIN_RATIO
            why = "低入札の場合は" if terms.low_bid else ""
            out.append(
                RuleViolation(
                    "guaranteed_amount",
                    f"契約保証の保証金額は、{why}請負金額(総額)の{ratio_text(ratio)}の"
                    f"{format_yen(minimum)}円以上にしてください。",
                )
            )
    return out


def _dependency_rules(terms: Terms, advance: AdvanceFacts | None) -> list[RuleViolation]:
    if terms.kind not in (GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE):
        return []
    out: list[RuleViolation] = []
    name = kind_full_name(terms.kind)
    if terms.kind == GuaranteeKind.INTERIM_ADVANCE and terms.work_category != WorkCategory.WORKS:
        out.append(RuleViolation("work_category", "中間前払金保証は工事のみが対象です。"))
    if advance is None:
        out.append(
            RuleViolation("advance_guarantee", f"{name}には、同じ工事の前払金保証（保証契約番号）の指定が必要です。")
        )
        return out
    if advance.kind != GuaranteeKind.ADVANCE or not advance.same_parties:
        out.append(
            RuleViolation(
                "advance_guarantee",
                f"保証契約番号 {advance.number} は、同じ保証契約者・発注者の前払金保証ではありません。",
            )
        )
    elif not advance.is_active:
        out.append(RuleViolation("advance_guarantee", f"前払金保証 {advance.number} は有効ではありません。"))
    elif advance.work_name != terms.work_name:
        out.append(
            RuleViolation(
                "work_name", f"工事名が前払金保証 {advance.number} の工事名「{advance.work_name}」と一致しません。"
            )
        )
    return out


def _delivery_rules(terms: Terms, orderer_name: str, accepts: bool) -> list[RuleViolation]:
    if terms.delivery_method != DeliveryMethod.ELECTRONIC:
        return []
    if terms.kind == GuaranteeKind.PERFORMANCE_RESERVATION:
        return [RuleViolation("delivery_method", "契約保証予約は電子交付の対象外です。「書面」を選択してください。")]
    # A 契約締結日 outside the business range is reported beside itself; no adoption covers it.
    if not accepts and is_business_date(terms.contract_date):
        category = WorkCategory(terms.work_category).label
        return [
            RuleViolation(
                "delivery_method",
                f"{orderer_name}は、{format_wareki(terms.contract_date, padded=False)}締結の{category}の"
                f"{kind_full_name(terms.kind)}を電子交付の対象としていません。「書面」を選択してください。",
            )
        ]
    return []
