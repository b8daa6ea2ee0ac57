"""The rules of a use statement as they stand today, for the surety's examiner to read before deciding.

The same checks as submission and acceptance (rules.check_statement over
services.statements.statement_facts, against the guarantee and the withdrawals
as they are now), returned as findings instead of raised: the examiner sees
what acceptance would refuse before pressing the button.
"""

from __future__ import annotations

from dataclasses import dataclass

from esurety.advances.kinds import UseCategory
from esurety.advances.models import UseStatement
from esurety.advances.rules import OVERHEAD_CATEGORIES, OVERHEAD_FORBIDDEN_KINDS, check_statement, overhead_limit
from esurety.advances.services.statements import statement_facts
from esurety.core.money import format_yen


@dataclass(frozen=True)
class StatementCheck:
    problems: list[str]  # Japanese, one per broken rule; empty when acceptance would pass the rules
    overhead_note: str  # the 現場管理費等 limit applied, when the statement has such a line


def use_statement_check(*, statement: UseStatement) -> StatementCheck:
    """Findings for one version already scoped to the reader (selectors.scope.use_statement_for)."""
    g = statement.account.guarantee
    facts = statement_facts(statement, g)
    problems = [v.message for v in check_statement(facts)]
    if statement.advance_amount != g.guaranteed_amount:
        problems.insert(
            0,
            f"提出後に保証金額が{format_yen(statement.advance_amount)}円から{format_yen(g.guaranteed_amount)}円に"
            "変更されています。",
        )
    note = ""
    if any(line.category in OVERHEAD_CATEGORIES for line in facts.lines):
        label = UseCategory.OVERHEAD.label
        if facts.kind in OVERHEAD_FORBIDDEN_KINDS:
            note = f"中間前払金は{label}に充てられません。"
        elif facts.overhead is None:
            note = f"{facts.orderer_name}の契約では{label}への充当は認められていません。"
        else:
            limit = overhead_limit(facts.advance_amount, facts.overhead.ratio)
            note = (
                f"{label}の上限: 前払金の{facts.overhead.share_text} = {format_yen(limit)}円"
                f"（{facts.overhead.contract_article}）"
            )
    return StatementCheck(problems=problems, overhead_note=note)
