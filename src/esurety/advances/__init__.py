"""The advance money after the certificate (issue 13): 前払金専用口座, 使途内訳明細書, 払出.

Models (models.py)::

    Guarantee (ADVANCE / INTERIM_ADVANCE) 1──1 AdvanceAccount ──> DepositBankBranch ──> DepositBank
    AdvanceAccount 1──* Deposit            (入金: ADVANCE money or INTEREST, recorded by the bank)
    AdvanceAccount 1──* UseStatement       (版 1, 2, …; DRAFT → SUBMITTED → REVIEWED → ACCEPTED | RETURNED;
                                            the accepted one becomes SUPERSEDED when a 使途変更 is accepted)
    UseStatement   1──* UseStatementLine   (line_no stable across versions; payee "" = 未定)
    UseStatement   1──* ProofDocument      (by line_no; files shared with the next version)
    AdvanceAccount 1──* Withdrawal ──> UseStatementLine (as at request time; REQUESTED → PAID | RETURNED)
    Contractor     1──* Payee              (振込先台帳; copied into each Withdrawal)
    Orderer        1──* OverheadAllowance  (現場管理費等: from a contract date, article, ratio)
    SuretyCompany  *──* DepositBank        through parties.SuretyBankContract (預託契約)

Flow: the contractor registers the account of a concluded advance guarantee
(services.account_open), writes and submits the statement with its proofs; a
member of the surety's branch checks it, another (an approver) accepts it; the
contractor requests withdrawals against its lines (one or many); the bank that
holds the account pays or returns each. The surety stops and resumes the
account and reads the account view and the list of unusual accounts.

Writes: services (package). Reads with who-may-see-what: selectors (package).
Public rules and limits: rules.py (pure). Vocabularies: kinds.py. Aggregates
shared by both: ledger.py.
"""
