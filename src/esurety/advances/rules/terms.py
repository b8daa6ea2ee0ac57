"""The PUBLIC RULES of the advance money as data, in one place (from the published terms of the
sureties' advance guarantee), and this system's own limits (column widths, upload sizes).

Where a rule varies per orderer (whether 現場管理費等 may be paid and up to which share) it is
a row of OverheadAllowance, read by the caller and passed in as OverheadRule.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from esurety.advances.kinds import (
    ProofKind,
    UseCategory,
)
from esurety.core.errors import RuleViolation
from esurety.core.kinds import GuaranteeKind

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
