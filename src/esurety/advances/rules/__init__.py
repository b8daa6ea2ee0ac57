"""The rules of the advance money, as pure functions over plain values (no database).

Each broken rule is a RuleViolation naming the form field and the limit, in
Japanese. Fields of a statement line are ``lines.<i>.<field>`` (i from 0, in
the order entered); the whole statement is ``lines``; the account is ``account``.

terms.py holds the PUBLIC RULES as data, in one place, and this system's limits;
normalize.py what people type; accounts.py the 前払金専用口座 and payees; statements.py the
前払金使途内訳明細書; withdrawals.py the 払出依頼書 and its payment. Callers import from here.
"""

from esurety.advances.rules.accounts import (
    AccountInput,
    PayeeInput,
    check_account,
    check_payee,
)
from esurety.advances.rules.normalize import (
    normalize_account_number,
    normalize_digits,
    normalize_kana,
    normalize_name,
    normalize_payee_name,
)
from esurety.advances.rules.statements import (
    Commitment,
    LineInput,
    OverheadRule,
    StatementFacts,
    category_label,
    check_lines,
    check_statement,
    overhead_limit,
)
from esurety.advances.rules.terms import (
    CHANGE_REASON_MAX,
    HOLDER_KANA_MAX,
    NAME_MAX,
    OVERHEAD_CATEGORIES,
    OVERHEAD_DEFAULT_RATIO,
    OVERHEAD_FORBIDDEN_KINDS,
    PROOF_MAX_BYTES,
    PROOF_REQUIREMENTS,
    PROOF_SUFFIXES,
    PROOF_TYPES,
    REASON_MAX,
    STATEMENT_MAX_LINES,
    UNDECIDED_WORDS,
    UNUSUAL_PAYEE_SHARE,
    check_reason,
    sniff_proof_type,
)
from esurety.advances.rules.withdrawals import (
    LineRoom,
    account_state_violation,
    check_payment,
    check_withdrawal,
)

__all__ = [
    "CHANGE_REASON_MAX",
    "HOLDER_KANA_MAX",
    "NAME_MAX",
    "OVERHEAD_CATEGORIES",
    "OVERHEAD_DEFAULT_RATIO",
    "OVERHEAD_FORBIDDEN_KINDS",
    "PROOF_MAX_BYTES",
    "PROOF_REQUIREMENTS",
    "PROOF_SUFFIXES",
    "PROOF_TYPES",
    "REASON_MAX",
    "STATEMENT_MAX_LINES",
    "UNDECIDED_WORDS",
    "UNUSUAL_PAYEE_SHARE",
    "AccountInput",
    "Commitment",
    "LineInput",
    "LineRoom",
    "OverheadRule",
    "PayeeInput",
    "StatementFacts",
    "account_state_violation",
    "category_label",
    "check_account",
    "check_lines",
    "check_payee",
    "check_payment",
    "check_reason",
    "check_statement",
    "check_withdrawal",
    "normalize_account_number",
    "normalize_digits",
    "normalize_kana",
    "normalize_name",
    "normalize_payee_name",
    "overhead_limit",
    "sniff_proof_type",
]
