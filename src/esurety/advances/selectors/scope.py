"""Who may see which account, statement, proof and withdrawal.

- a contractor user: the accounts of its own guarantees;
- surety staff: the accounts of their surety's guarantees, of their branch if bound to one
  (the rule of guarantees.selectors);
- a deposit bank user: the accounts held at that bank, at that branch for a branch user;
  a bank sees statements once accepted (the surety forwards them), never drafts.
Functions taking an ``account`` or ``statement`` expect one already scoped by these.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from esurety.advances.kinds import StatementStatus, WithdrawalStatus
from esurety.advances.models import (
    AdvanceAccount,
    Payee,
    ProofDocument,
    UseStatement,
    Withdrawal,
)
from esurety.core.kinds import ADVANCE_KINDS
from esurety.core.normalize import normalize_guarantee_number
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import DepositBankBranch, User
from esurety.parties.permissions import BANK_ROLES, STAFF_ROLES

# Statements a bank sees: the accepted one and the ones it replaced.
BANK_VISIBLE_STATEMENTS = (StatementStatus.ACCEPTED, StatementStatus.SUPERSEDED)


def _account_scope(user: User) -> Q | None:
    """Which accounts this user may see, as a filter on AdvanceAccount; None for nobody's."""
    if not user.is_active:
        return None
    if user.contractor_id is not None:
        return Q(guarantee__contractor_id=user.contractor_id)
    if user.surety_id is not None and user.role in STAFF_ROLES:
        scope = Q(guarantee__surety_id=user.surety_id)
        if user.branch_id is not None:
            scope &= Q(guarantee__branch_id=user.branch_id)
        return scope
    if user.deposit_bank_id is not None and user.role in BANK_ROLES:
        scope = Q(bank_id=user.deposit_bank_id)
        if user.bank_branch_id is not None:
            scope &= Q(bank_branch_id=user.bank_branch_id)
        return scope
    return None


def _needs_new_statement() -> Exists:
    """The accepted statement no longer adds up to the guarantee (an amount change, 変更): a new version is due."""
    return Exists(
        UseStatement.objects.filter(account=OuterRef("pk"), status=StatementStatus.ACCEPTED).exclude(
            advance_amount=OuterRef("guarantee__guaranteed_amount")
        )
    )


def advance_accounts_for(*, user: User) -> QuerySet[AdvanceAccount]:
    """Every account this user may see (contractor, surety staff or bank), each flagged ``needs_new_statement``."""
    scope = _account_scope(user)
    if scope is None:
        return AdvanceAccount.objects.none()
    return (
        AdvanceAccount.objects.filter(scope)
        .select_related("guarantee", "guarantee__contractor", "guarantee__orderer", "bank", "bank_branch")
        .annotate(needs_new_statement=_needs_new_statement())
        .order_by("-guarantee__concluded_at", "-pk")
    )


def advance_account_for(*, user: User, number: str) -> AdvanceAccount | None:
    """The account of one guarantee (保証契約番号), if this user may see it; None otherwise (answer 404)."""
    return (
        advance_accounts_for(user=user)
        .select_related("guarantee__surety", "guarantee__branch")
        .filter(guarantee__number=normalize_guarantee_number(number))
        .first()
    )


def guarantees_awaiting_account_for_contractor(*, user: User) -> QuerySet[Guarantee]:
    """The contractor's active advance guarantees with no 前払金専用口座 registered yet."""
    if user.contractor_id is None or not user.is_active:
        return Guarantee.objects.none()
    return (
        Guarantee.objects.filter(
            contractor_id=user.contractor_id, kind__in=ADVANCE_KINDS, status=GuaranteeStatus.ACTIVE
        )
        .filter(advance_account__isnull=True)
        .select_related("orderer")
        .order_by("-concluded_at")
    )


def bank_branches_for_guarantee(*, guarantee: Guarantee, on: dt.date) -> QuerySet[DepositBankBranch]:
    """Where the account of this guarantee may be: branches of banks under contract with its surety on ``on``."""
    return (
        DepositBankBranch.objects.filter(
            Q(bank__surety_contracts__effective_until__isnull=True)
            | Q(bank__surety_contracts__effective_until__gte=on),
            bank__surety_contracts__surety_id=guarantee.surety_id,
            bank__surety_contracts__effective_from__lte=on,
        )
        .select_related("bank")
        .distinct()
        .order_by("bank__code", "code")
    )


# ---------------------------------------------------------------------------
# Use statements and proofs


def use_statements_for(*, user: User, account: AdvanceAccount) -> QuerySet[UseStatement]:
    """Versions of one account's statement, newest first: every version for the contractor; no drafts
    for the surety (a draft is the contractor's own); accepted and superseded ones for the bank."""
    qs = UseStatement.objects.filter(account=account).select_related("decided_by", "reviewed_by", "submitted_by")
    if user.deposit_bank_id is not None:
        qs = qs.filter(status__in=BANK_VISIBLE_STATEMENTS)
    elif user.contractor_id is None:
        qs = qs.exclude(status=StatementStatus.DRAFT)
    return qs.order_by("-version")


def use_statement_for(*, user: User, pk: int) -> UseStatement | None:
    """One version this user may see (its account in scope, and its state shown to this kind of user)."""
    account = AdvanceAccount.objects.filter(statements__pk=pk).first()
    if account is None or not advance_accounts_for(user=user).filter(pk=account.pk).exists():
        return None
    return use_statements_for(user=user, account=account).select_related("account__guarantee").filter(pk=pk).first()


def use_statement_queue_for_staff(*, user: User, status: str = "") -> QuerySet[UseStatement]:
    """Statements waiting for the surety: 提出済 (to check) and 確認済 (to accept), oldest first."""
    if user.surety_id is None:
        return UseStatement.objects.none()
    accounts = advance_accounts_for(user=user).values("pk")
    waiting = (StatementStatus.SUBMITTED, StatementStatus.REVIEWED)
    qs = UseStatement.objects.filter(account__in=accounts, status__in=waiting).select_related(
        "account__guarantee", "account__guarantee__contractor", "account__guarantee__branch", "reviewed_by"
    )
    if status in waiting:
        qs = qs.filter(status=status)
    return qs.order_by("submitted_at", "pk")


def proofs_for(*, statement: UseStatement) -> QuerySet[ProofDocument]:
    return statement.proofs.select_related("uploaded_by").order_by("line_no", "uploaded_at", "pk")


def proof_for(*, user: User, pk: int) -> ProofDocument | None:
    """A proof to download, if its statement version is one this user may see."""
    proof = ProofDocument.objects.filter(pk=pk).first()
    if proof is None or use_statement_for(user=user, pk=proof.statement_id) is None:
        return None
    return proof


def payees_for_contractor(*, user: User) -> QuerySet[Payee]:
    """The payee book (振込先台帳) of the user's company, by name."""
    if user.contractor_id is None or not user.is_active:
        return Payee.objects.none()
    return Payee.objects.filter(contractor_id=user.contractor_id, is_active=True).order_by("name", "pk")


# ---------------------------------------------------------------------------
# Withdrawals


def withdrawals_for_account(
    *, account: AdvanceAccount, status: str = "", line_no: int | None = None
) -> QuerySet[Withdrawal]:
    qs = Withdrawal.objects.filter(account=account).select_related("requested_by", "acted_by")
    if status:
        qs = qs.filter(status=status)
    if line_no is not None:
        qs = qs.filter(line_no=line_no)
    return qs.order_by("-requested_at", "-pk")


def withdrawals_for_contractor(*, user: User, status: str = "") -> QuerySet[Withdrawal]:
    """The contractor's requests across its accounts, newest first."""
    if user.contractor_id is None or not user.is_active:
        return Withdrawal.objects.none()
    qs = Withdrawal.objects.filter(contractor_id=user.contractor_id).select_related("account__guarantee")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-pk")


def withdrawal_for(*, user: User, pk: int) -> Withdrawal | None:
    """One request this user may see (contractor, surety staff or bank), with its account; else None."""
    accounts = advance_accounts_for(user=user).values("pk")
    return (
        Withdrawal.objects.filter(pk=pk, account__in=accounts)
        .select_related("account", "account__guarantee", "account__bank", "account__bank_branch", "line")
        .first()
    )


def withdrawals_for_bank(
    *,
    user: User,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    bank_branch_id: int | None = None,
    contractor_id: int | None = None,
) -> QuerySet[Withdrawal]:
    """The bank's list of requests (依頼日 newest first), filtered as its desk asks.

    Built for a million requests: bank (or branch) and state are the leading columns of the
    withdrawal_* indexes and the date range rides on requested_on in the same index; page it
    with core.paging.DeferredJoinPaginator.
    """
    if user.deposit_bank_id is None or not user.is_active or user.role not in BANK_ROLES:
        return Withdrawal.objects.none()
    # A branch user sees its own branch, whatever branch it asks for; the bank's people may pick one.
    branch_id = user.bank_branch_id if user.bank_branch_id is not None else bank_branch_id
    if branch_id is None:
        qs = Withdrawal.objects.filter(bank_id=user.deposit_bank_id)
    elif DepositBankBranch.objects.filter(pk=branch_id, bank_id=user.deposit_bank_id).exists():
        # By branch alone (checked to be the user's bank's), so the withdrawal_branch_* indexes
        # answer it without visiting the table.
        qs = Withdrawal.objects.filter(bank_branch_id=branch_id)
    else:
        return Withdrawal.objects.none()
    if status:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(requested_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(requested_on__lte=date_to)
    if contractor_id is not None:
        qs = qs.filter(contractor_id=contractor_id)
    return qs.select_related("contractor", "bank_branch", "account__guarantee").order_by("-requested_on", "-id")


def accounts_with_open_requests_for_bank(*, user: User) -> QuerySet[AdvanceAccount]:
    """The bank's accounts with requests waiting (依頼中), for its desk's first screen."""
    waiting = Withdrawal.objects.filter(account=OuterRef("pk"), status=WithdrawalStatus.REQUESTED)
    return advance_accounts_for(user=user).filter(Exists(waiting))
