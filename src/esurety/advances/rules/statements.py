"""Rules of the 前払金使途内訳明細書: its lines, the 現場管理費等 share, proofs, commitments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from esurety.advances.kinds import (
    ProofKind,
    UseCategory,
    WithdrawalMethod,
)
from esurety.advances.rules.normalize import normalize_payee_name
from esurety.advances.rules.terms import (
    NAME_MAX,
    OVERHEAD_CATEGORIES,
    OVERHEAD_FORBIDDEN_KINDS,
    PROOF_REQUIREMENTS,
    STATEMENT_MAX_LINES,
)
from esurety.core.errors import RuleViolation
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki


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
