"""The rules of the advance money, as pure functions over plain values (no database).

Each broken rule is a RuleViolation naming the form field and the limit, in
Japanese. Fields of a statement line are ``lines.<i>.<field>`` (i from 0, in
the order entered); the whole statement is ``lines``; the account is ``account``.

The first section holds the PUBLIC RULES as data, in one place. Where a rule
varies per orderer (whether 現場管理費等 may be paid and up to which share) it is
a row of OverheadAllowance, read by the caller and passed in as OverheadRule.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from esurety.advances.kinds import (
    AccountStatus,
    AccountType,
    PayeeAccountType,
    ProofKind,
    UseCategory,
    WithdrawalMethod,
)
from esurety.core.errors import RuleViolation
from esurety.core.kinds import GuaranteeKind
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki

# =============================================================================
# PUBLIC RULES (issue 13, from the published terms of the sureties' advance guarantee)
# =============================================================================

# 現場管理費・一般管理費等: at most this share of the 前払金 where the orderer allows it at all.
# OverheadAllowance rows default to it and may carry another share from another date.
OVERHEAD_DEFAULT_RATIO = Fraction(25, 100)
OVERHEAD_CATEGORIES: frozenset[str] = frozenset({UseCategory.OVERHEAD})
# Never from a 中間前払金.
OVERHEAD_FORBIDDEN_KINDS: frozenset[str] = frozenset({GuaranteeKind.INTERIM_ADVANCE})

# Proof of payee kept with the statement: for these uses, at least one document of these kinds
# for each line whose payee is named. Uses not listed need none (直用の労務費, 保証料; the issue
# names no proof for the others either).
PROOF_REQUIREMENTS: Mapping[str, tuple[str, ...]] = {
    UseCategory.SUBCONTRACT: (
        ProofKind.SYSTEM_DIAGRAM,
        ProofKind.SYSTEM_LEDGER,
        ProofKind.SUBCONTRACT,
        ProofKind.ORDER_ACCEPTANCE,
    ),
    UseCategory.MATERIALS: (
        ProofKind.ORDER_ACCEPTANCE,
        ProofKind.DELIVERY_NOTE,
        ProofKind.INVOICE,
        ProofKind.QUOTATION,
    ),
}

# What the contractor types for a payee not yet known.
UNDECIDED_WORDS: frozenset[str] = frozenset({"", "未定"})

# Limits of this system (not public rules): column widths and upload sizes.
STATEMENT_MAX_LINES = 200
NAME_MAX = 100
HOLDER_KANA_MAX = 100
REASON_MAX = 1000
CHANGE_REASON_MAX = 200
PROOF_MAX_BYTES = 10 * 1024 * 1024
# Content types accepted as proofs, with the bytes their files must start with (the name and
# the declared type are not trusted).
PROOF_TYPES: Mapping[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
PROOF_SUFFIXES: Mapping[str, str] = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

# Accounts worth a look (selectors.unusual_accounts_for_staff): a payee other than the line's
# own taking more than this share of the line.
UNUSUAL_PAYEE_SHARE = Fraction(1, 2)


# =============================================================================
# Normalisation of what people type
# =============================================================================

_SPACES = re.compile(r"\s+")
_DIGITS_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－_]+")
# 口座名義 in the characters banks' transfer files accept; small kana are written large there.
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_HOLDER_KANA = re.compile(r"^[ア-ヴー0-9A-Z ().,\-/]+$")


def normalize_name(raw: str) -> str:
    """NFKC, trimmed, inner runs of spaces as one: 「株式会社　△△資材」 and its half-width twin match."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()


def normalize_payee_name(raw: str) -> str:
    """A line's payee: 「未定」 or nothing is stored as the empty string."""
    name = normalize_name(raw)
    return "" if name in UNDECIDED_WORDS else name


def normalize_digits(raw: str) -> str:
    return _DIGITS_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))


def normalize_account_number(raw: str) -> str:
    """「１２３４５」 → 「0012345」: banks print account numbers as 7 digits."""
    digits = normalize_digits(raw)
    return digits.zfill(7) if digits.isascii() and digits.isdigit() and len(digits) <= 7 else digits


def normalize_kana(raw: str) -> str:
    """Half-width ｶ)ﾏﾙﾏﾙｹﾝｾﾂ → full-width カ)マルマルケンセツ, small kana large, latin upper-case."""
    text = unicodedata.normalize("NFKC", raw or "").upper().translate(_SMALL_KANA)
    return _SPACES.sub(" ", text.replace("\u3000", " ")).strip()


# =============================================================================
# Accounts and payees
# =============================================================================


@dataclass(frozen=True)
class AccountInput:
    """The 前払金専用口座 as the contractor or the surety enters it."""

    bank_branch_id: int
    account_type: str
    account_number: str
    holder_kana: str

    def normalized(self) -> AccountInput:
        return replace(
            self,
            account_number=normalize_account_number(self.account_number),
            holder_kana=normalize_kana(self.holder_kana),
        )


def check_account(data: AccountInput) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    if data.account_type not in AccountType.values:
        out.append(RuleViolation("account_type", "預金種目（普通預金・決済用預金）を選んでください。"))
    out += _account_number_rules("account_number", data.account_number)
    out += _holder_rules("holder_kana", data.holder_kana)
    return out


def _account_number_rules(field: str, number: str) -> list[RuleViolation]:
    if not number:
        return [RuleViolation(field, "口座番号を入力してください。")]
    if not (number.isascii() and number.isdigit() and len(number) == 7):
        return [RuleViolation(field, "口座番号は7桁以内の数字で入力してください。")]
    return []


def _holder_rules(field: str, holder: str) -> list[RuleViolation]:
    if not holder:
        return [RuleViolation(field, "口座名義をカナで入力してください。")]
    if len(holder) > HOLDER_KANA_MAX:
        return [RuleViolation(field, f"口座名義は{HOLDER_KANA_MAX}文字以内で入力してください。")]
    if not _HOLDER_KANA.match(holder):
        return [
            RuleViolation(
                field,
                "口座名義はカナ・英大文字・数字と記号 ( ) . , - / で入力してください（例: カ)マルマルケンセツ）。",
            )
        ]
    return []


@dataclass(frozen=True)
class PayeeInput:
    """支払先 and its account, as entered in a request or the payee book."""

    name: str
    bank_name: str = ""
    bank_code: str = ""
    branch_name: str = ""
    branch_code: str = ""
    account_type: str = ""
    account_number: str = ""
    holder_kana: str = ""

    def normalized(self) -> PayeeInput:
        return PayeeInput(
            name=normalize_name(self.name),
            bank_name=normalize_name(self.bank_name),
            bank_code=normalize_digits(self.bank_code),
            branch_name=normalize_name(self.branch_name),
            branch_code=normalize_digits(self.branch_code),
            account_type=self.account_type.strip(),
            account_number=normalize_account_number(self.account_number) if self.account_number.strip() else "",
            holder_kana=normalize_kana(self.holder_kana),
        )

    @property
    def has_account(self) -> bool:
        return bool(self.bank_name or self.branch_name or self.account_number or self.holder_kana)


def check_payee(payee: PayeeInput, *, needs_account: bool, prefix: str = "") -> list[RuleViolation]:
    """A payee paid by transfer needs a full account; one paid in cash only a name."""
    out: list[RuleViolation] = []

    def add(field: str, message: str) -> None:
        out.append(RuleViolation(prefix + field, message))

    if not payee.name:
        add("name", "支払先名を入力してください。")
    elif payee.name == "未定":
        add("name", "支払先名を入力してください（未定の支払先には払い出せません）。")
    elif len(payee.name) > NAME_MAX:
        add("name", f"支払先名は{NAME_MAX}文字以内で入力してください。")
    if not (needs_account or payee.has_account):
        return out
    if not payee.bank_name:
        add("bank_name", "振込先の金融機関名を入力してください。")
    elif len(payee.bank_name) > NAME_MAX:
        add("bank_name", f"金融機関名は{NAME_MAX}文字以内で入力してください。")
    if payee.bank_code and not (payee.bank_code.isascii() and payee.bank_code.isdigit() and len(payee.bank_code) == 4):
        add("bank_code", "金融機関コードは4桁の数字で入力してください（分からなければ空欄）。")
    if not payee.branch_name:
        add("branch_name", "振込先の支店名を入力してください。")
    elif len(payee.branch_name) > NAME_MAX:
        add("branch_name", f"支店名は{NAME_MAX}文字以内で入力してください。")
    if payee.branch_code and not (
        payee.branch_code.isascii() and payee.branch_code.isdigit() and len(payee.branch_code) == 3
    ):
        add("branch_code", "支店コードは3桁の数字で入力してください（分からなければ空欄）。")
    if payee.account_type not in PayeeAccountType.values:
        add("account_type", "預金種目（普通・当座・貯蓄）を選んでください。")
    for v in _account_number_rules("account_number", payee.account_number):
        add(v.field, v.message)
    for v in _holder_rules("holder_kana", payee.holder_kana):
        add(v.field, v.message)
    return out


# =============================================================================
# Use statements (前払金使途内訳明細書)
# =============================================================================


@dataclass(frozen=True)
class LineInput:
    """One line as the contractor enters it. ``line_no`` names a line of an earlier version."""

    category: str
    payee_name: str
    amount: int
    planned_on: dt.date | None
    method: str
    line_no: int | None = None

    def normalized(self) -> LineInput:
        return replace(self, payee_name=normalize_payee_name(self.payee_name))

    @property
    def is_undecided(self) -> bool:
        return self.payee_name == ""


@dataclass(frozen=True)
class OverheadRule:
    """The orderer's OverheadAllowance in force at the works' contract date.

    The share is kept as the orderer's contract writes it (25 and 100): a Fraction would reduce
    it to 1/4, and the contractor would read a limit worded unlike the contract's 100分の25.
    """

    numerator: int
    denominator: int
    contract_article: str

    @property
    def ratio(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def share_text(self) -> str:
        """「100分の25」: the way Japanese contracts state a share."""
        return f"{self.denominator}分の{self.numerator}"


@dataclass(frozen=True)
class Commitment:
    """What a line (by line_no) has already given or promised under the versions in force."""

    category: str
    paid: int
    pending: int

    @property
    def total(self) -> int:
        return self.paid + self.pending


@dataclass(frozen=True)
class StatementFacts:
    kind: str
    advance_amount: int
    orderer_name: str
    contract_date: dt.date
    overhead: OverheadRule | None
    lines: Sequence[LineInput]  # normalised, each with its line_no
    proofs: Mapping[int, frozenset[str]]  # line_no → kinds of the documents attached
    committed: Mapping[int, Commitment]  # line_no → money already out or requested (使途変更)


def category_label(category: str) -> str:
    return UseCategory(category).label if category in UseCategory.values else category


def check_lines(lines: Sequence[LineInput]) -> list[RuleViolation]:
    """Each line on its own: what a draft must already satisfy to be saved."""
    out: list[RuleViolation] = []
    if not lines:
        out.append(RuleViolation("lines", "使途内訳を1行以上入力してください。"))
    if len(lines) > STATEMENT_MAX_LINES:
        out.append(RuleViolation("lines", f"使途内訳は{STATEMENT_MAX_LINES}行までです。"))
    seen: set[int] = set()
    for i, line in enumerate(lines):
        p = f"lines.{i}."
        if line.category not in UseCategory.values:
            out.append(RuleViolation(p + "category", "使途を選んでください。"))
        if len(line.payee_name) > NAME_MAX:
            out.append(RuleViolation(p + "payee_name", f"支払先は{NAME_MAX}文字以内で入力してください。"))
        if line.amount < 1:
            out.append(RuleViolation(p + "amount", "金額は1円以上で入力してください。"))
        if line.planned_on is None:
            out.append(RuleViolation(p + "planned_on", "支払予定日を入力してください。"))
        if line.method not in WithdrawalMethod.values:
            out.append(RuleViolation(p + "method", "払出方法（振込・現金払）を選んでください。"))
        if line.line_no is not None:
            if line.line_no in seen:
                out.append(RuleViolation(p + "line_no", "同じ行が二度入力されています。"))
            seen.add(line.line_no)
    return out


def overhead_limit(advance_amount: int, ratio: Fraction) -> int:
    """The largest whole-yen overhead within ``ratio`` of the advance (exact integer arithmetic)."""
    return advance_amount * ratio.numerator // ratio.denominator


def check_statement(facts: StatementFacts) -> list[RuleViolation]:
    """Every rule, as checked at submission and again at acceptance."""
    out = check_lines(facts.lines)
    if any(v.field == "lines" for v in out):
        return out
    total = sum(line.amount for line in facts.lines)
    if total != facts.advance_amount:
        gap = facts.advance_amount - total
        how = f"あと{format_yen(gap)}円不足しています" if gap > 0 else f"{format_yen(-gap)}円超えています"
        out.append(
            RuleViolation(
                "lines",
                f"内訳の合計（{format_yen(total)}円）を前払金額 {format_yen(facts.advance_amount)}円 と"
                f"一致させてください（{how}。未定の行も含めて合計します）。",
            )
        )
    out += _overhead_rules(facts)
    out += _proof_rules(facts)
    out += _commitment_rules(facts)
    return out


def _overhead_rules(facts: StatementFacts) -> list[RuleViolation]:
    indexes = [i for i, line in enumerate(facts.lines) if line.category in OVERHEAD_CATEGORIES]
    if not indexes:
        return []
    field = f"lines.{indexes[0]}.category"
    label = UseCategory.OVERHEAD.label
    if facts.kind in OVERHEAD_FORBIDDEN_KINDS:
        return [RuleViolation(field, f"中間前払金は{label}に充てることはできません。")]
    if facts.overhead is None:
        return [
            RuleViolation(
                field,
                f"{facts.orderer_name}の契約（{format_wareki(facts.contract_date, padded=False)}締結）では、"
                f"前払金を{label}に充てることは認められていません。",
            )
        ]
    limit = overhead_limit(facts.advance_amount, facts.overhead.ratio)
    total = sum(facts.lines[i].amount for i in indexes)
    if total > limit:
        return [
            RuleViolation(
                f"lines.{indexes[0]}.amount",
                f"{label}は前払金の{facts.overhead.share_text}の{format_yen(limit)}円以内にしてください"
                f"（{facts.overhead.contract_article}。現在 {format_yen(total)}円、"
                f"{format_yen(total - limit)}円超過）。",
            )
        ]
    return []


def _proof_rules(facts: StatementFacts) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    for i, line in enumerate(facts.lines):
        kinds = PROOF_REQUIREMENTS.get(line.category)
        if not kinds or line.is_undecided or line.line_no is None:
            continue
        if not facts.proofs.get(line.line_no, frozenset()) & set(kinds):
            names = "・".join(ProofKind(k).label for k in kinds)
            out.append(
                RuleViolation(
                    f"lines.{i}.proofs",
                    f"{category_label(line.category)}の支払先「{line.payee_name}」には、{names}のいずれかを"
                    "添付してください。",
                )
            )
    return out


def _commitment_rules(facts: StatementFacts) -> list[RuleViolation]:
    """A 使途変更 keeps every yen already paid or requested where it is."""
    out: list[RuleViolation] = []
    by_no = {line.line_no: (i, line) for i, line in enumerate(facts.lines) if line.line_no is not None}
    for line_no, done in sorted(facts.committed.items()):
        if done.total <= 0:
            continue
        found = by_no.get(line_no)
        if found is None:
            out.append(
                RuleViolation(
                    "lines",
                    f"{category_label(done.category)}の行（行番号 {line_no}）には払出済・依頼中の"
                    f"{format_yen(done.total)}円があるため、削除できません。",
                )
            )
            continue
        i, line = found
        if line.category != done.category:
            out.append(RuleViolation(f"lines.{i}.category", "払出済・依頼中の払出がある行の使途は変更できません。"))
        if line.amount < done.total:
            out.append(
                RuleViolation(
                    f"lines.{i}.amount",
                    f"この行は払出済・依頼中が{format_yen(done.total)}円あるため、{format_yen(done.total)}円以上に"
                    "してください。",
                )
            )
    return out


# =============================================================================
# Withdrawals (払出依頼書) and payments (払出)
# =============================================================================


@dataclass(frozen=True)
class LineRoom:
    """A line of the statement in force, and what it has given (paid) and promised (requested)."""

    line_no: int
    category: str
    payee_name: str
    amount: int
    method: str
    paid: int = 0
    pending: int = 0

    @property
    def left(self) -> int:
        """What may still be requested: the line less what is paid and what is waiting."""
        return self.amount - self.paid - self.pending

    @property
    def is_undecided(self) -> bool:
        return self.payee_name == ""


def account_state_violation(status: str, stop_reason: str = "") -> RuleViolation | None:
    """No withdrawal is requested or paid while the account is stopped or closed."""
    if status == AccountStatus.STOPPED:
        why = f"（理由: {stop_reason}）" if stop_reason else ""
        return RuleViolation(
            "account", f"この口座は保証会社により払出停止中です{why}。停止が解除されるまで払出できません。"
        )
    if status == AccountStatus.CLOSED:
        return RuleViolation("account", "この口座は閉鎖されているため払出できません。")
    return None


def check_withdrawal(
    *,
    account_status: str,
    stop_reason: str,
    line: LineRoom | None,
    amount: int,
    desired_on: dt.date | None,
    today: dt.date,
    payee: PayeeInput,
    prefix: str = "",
) -> list[RuleViolation]:
    """A request: it fits what is left of its line (paid and requested counted), never a 未定 line."""
    out: list[RuleViolation] = []
    state = account_state_violation(account_status, stop_reason)
    if state is not None:
        out.append(state)
    if line is None:
        out.append(RuleViolation(prefix + "line_no", "払い出す使途内訳の行を、承認済の明細書から選んでください。"))
    elif line.is_undecided:
        out.append(
            RuleViolation(
                prefix + "line_no",
                f"{category_label(line.category)}の行は支払先が未定のため払出できません。"
                "使途変更で支払先を定め、承認を受けてから依頼してください。",
            )
        )
    if amount < 1:
        out.append(RuleViolation(prefix + "amount", "金額は1円以上で入力してください。"))
    elif line is not None and amount > line.left:
        out.append(
            RuleViolation(
                prefix + "amount",
                f"{category_label(line.category)}の行の残額 {format_yen(max(0, line.left))}円 を超えています"
                f"（{format_yen(amount - max(0, line.left))}円超過。払出済・依頼中を差し引いた額です）。",
            )
        )
    if desired_on is None:
        out.append(RuleViolation(prefix + "desired_on", "払出希望日を入力してください。"))
    elif desired_on < today:
        out.append(
            RuleViolation(
                prefix + "desired_on", f"払出希望日は本日（{format_wareki(today, padded=False)}）以降にしてください。"
            )
        )
    needs_account = line is None or line.method == WithdrawalMethod.TRANSFER
    out += check_payee(payee, needs_account=needs_account, prefix=prefix + "payee_")
    return out


def check_payment(
    *,
    account_status: str,
    stop_reason: str,
    line: LineRoom | None,
    balance: int,
    amount: int,
    paid_on: dt.date | None,
    requested_on: dt.date,
    today: dt.date,
) -> list[RuleViolation]:
    """The bank pays only what fits what the line has not paid yet and the advance in the account.

    ``line`` is the line of the statement in force now (its ``paid`` excludes this request,
    which is not paid yet); ``balance`` the advance money in the account (interest excluded:
    it is not advance money).
    """
    out: list[RuleViolation] = []
    state = account_state_violation(account_status, stop_reason)
    if state is not None:
        out.append(state)
    if line is None:
        out.append(RuleViolation("line_no", "この依頼の使途内訳の行は、承認済の明細書にありません。差戻してください。"))
    elif line.is_undecided:
        out.append(
            RuleViolation("line_no", "この依頼の使途内訳の行は、使途変更で支払先が未定になりました。差戻してください。")
        )
    elif amount > line.amount - line.paid:
        left = max(0, line.amount - line.paid)
        out.append(
            RuleViolation(
                "amount",
                f"使途内訳の行の残額 {format_yen(left)}円 を超えるため払出できません"
                f"（{format_yen(amount - left)}円超過）。",
            )
        )
    if amount > balance:
        out.append(
            RuleViolation("amount", f"口座の前払金残高 {format_yen(max(0, balance))}円 を超えるため払出できません。")
        )
    if paid_on is None:
        out.append(RuleViolation("paid_on", "払出日を入力してください。"))
    elif paid_on > today:
        out.append(RuleViolation("paid_on", "払出日に未来の日付は入力できません。"))
    elif paid_on < requested_on:
        out.append(
            RuleViolation(
                "paid_on", f"払出日は依頼日（{format_wareki(requested_on, padded=False)}）以降にしてください。"
            )
        )
    return out


def check_reason(reason: str, *, label: str, field: str = "reason", limit: int = REASON_MAX) -> list[RuleViolation]:
    text = reason.strip()
    if not text:
        return [RuleViolation(field, f"{label}を入力してください。")]
    if len(text) > limit:
        return [RuleViolation(field, f"{label}は{limit}文字以内で入力してください。")]
    return []


def sniff_proof_type(head: bytes) -> str | None:
    """The content type a proof's first bytes show, or None if it is not an accepted type."""
    for content_type, magics in PROOF_TYPES.items():
        if any(head.startswith(m) for m in magics):
            return content_type
    return None
