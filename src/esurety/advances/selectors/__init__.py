"""Reads of the advance money that decide who may see what (scope), the account view and the audit list.

Portals and the API read only through these.
"""

from esurety.advances.selectors.account_view import AccountView, LineView, PayeeTotal, account_view
from esurety.advances.selectors.scope import (
    BANK_VISIBLE_STATEMENTS,
    accounts_with_open_requests_for_bank,
    advance_account_for,
    advance_accounts_for,
    bank_branches_for_guarantee,
    guarantees_awaiting_account_for_contractor,
    payees_for_contractor,
    proof_for,
    proofs_for,
    use_statement_for,
    use_statement_queue_for_staff,
    use_statements_for,
    withdrawal_for,
    withdrawals_for_account,
    withdrawals_for_bank,
    withdrawals_for_contractor,
)
from esurety.advances.selectors.statement_check import StatementCheck, use_statement_check
from esurety.advances.selectors.unusual import UnusualAccount, unusual_accounts_for_staff

__all__ = [
    "BANK_VISIBLE_STATEMENTS",
    "AccountView",
    "LineView",
    "PayeeTotal",
    "StatementCheck",
    "UnusualAccount",
    "account_view",
    "accounts_with_open_requests_for_bank",
    "advance_account_for",
    "advance_accounts_for",
    "bank_branches_for_guarantee",
    "guarantees_awaiting_account_for_contractor",
    "payees_for_contractor",
    "proof_for",
    "proofs_for",
    "unusual_accounts_for_staff",
    "use_statement_check",
    "use_statement_for",
    "use_statement_queue_for_staff",
    "use_statements_for",
    "withdrawal_for",
    "withdrawals_for_account",
    "withdrawals_for_bank",
    "withdrawals_for_contractor",
]
