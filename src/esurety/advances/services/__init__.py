"""Every write of the advance money after the certificate. Each function is one atomic step.

Keyword-only arguments; each checks who acts (parties.permissions),
the current state and the rules (advances.rules), writes one audit entry per
state change and queues its mail (outbox) and webhook events in the same
transaction. Domain errors: core.errors.DomainError (with RuleViolations per
field), InvalidStateError (a state conflict), core.errors.NotPermitted.
"""

from esurety.advances.rules import AccountInput, LineInput, PayeeInput
from esurety.advances.services.accounts import (
    account_close,
    account_open,
    account_resume,
    account_stop,
    account_stop_on_claim,
    deposit_record,
)
from esurety.advances.services.payees import payee_remove, payee_save
from esurety.advances.services.proofs import proof_attach, proof_remove
from esurety.advances.services.statements import (
    use_statement_accept,
    use_statement_change,
    use_statement_create,
    use_statement_return,
    use_statement_review,
    use_statement_submit,
    use_statement_update_draft,
)
from esurety.advances.services.withdrawals import (
    WithdrawalInput,
    withdrawal_pay,
    withdrawal_request,
    withdrawal_return,
    withdrawals_check_bulk,
    withdrawals_request_bulk,
)

__all__ = [
    "AccountInput",
    "LineInput",
    "PayeeInput",
    "WithdrawalInput",
    "account_close",
    "account_open",
    "account_resume",
    "account_stop",
    "account_stop_on_claim",
    "deposit_record",
    "payee_remove",
    "payee_save",
    "proof_attach",
    "proof_remove",
    "use_statement_accept",
    "use_statement_change",
    "use_statement_create",
    "use_statement_return",
    "use_statement_review",
    "use_statement_submit",
    "use_statement_update_draft",
    "withdrawal_pay",
    "withdrawal_request",
    "withdrawal_return",
    "withdrawals_check_bulk",
    "withdrawals_request_bulk",
]
