"""Helpers of the back office's advance pages: scoped lookups (404 for anything out of scope) and histories."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from esurety.advances import selectors
from esurety.advances.kinds import AccountStatus, StatementStatus
from esurety.advances.models import AdvanceAccount, UseStatement
from esurety.audit.models import AuditEntry
from esurety.office.views.lifecycle_common import HistoryRow, history_rows
from esurety.parties.models import User


def account_or_404(user: User, number: str) -> AdvanceAccount:
    account = selectors.advance_account_for(user=user, number=number)
    if account is None:
        raise Http404("前払金専用口座が見つかりません。")
    return account


def statement_or_404(user: User, pk: int) -> UseStatement:
    statement = selectors.use_statement_for(user=user, pk=pk)
    if statement is None:
        raise Http404("使途内訳明細書が見つかりません。")
    return statement


def advance_history(account: AdvanceAccount, statements: list[UseStatement]) -> list[HistoryRow]:
    """The account's own steps (register, stop, resume, close) and its statements' (submit, check, accept ...).

    Entries of the account carry AccountStatus values and those of statements StatementStatus
    values (both have a RETURNED or ACTIVE of their own), so each is labelled with its own table.
    """
    of_account = AuditEntry.objects.filter(object_type=AdvanceAccount.__name__, object_id=str(account.pk))
    of_statements = AuditEntry.objects.filter(
        Q(object_type=UseStatement.__name__, object_id__in=[str(s.pk) for s in statements])
    )
    rows = history_rows(list(of_account.select_related("actor")), dict(AccountStatus.choices))
    rows += history_rows(list(of_statements.select_related("actor")), dict(StatementStatus.choices))
    return sorted(rows, key=lambda r: r.at)
