"""Helpers of the back office's advance pages: scoped lookups (404 for anything out of scope) and histories."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Q
from django.http import Http404

from esurety.advances import selectors
from esurety.advances.kinds import AccountStatus, StatementStatus
from esurety.advances.models import AdvanceAccount, UseStatement
from esurety.audit.models import AuditEntry
from esurety.office.views.lifecycle_common import HistoryRow, history_rows
from esurety.parties.models import User

# The advance steps as the history tables name them.
ADVANCE_ACTION_LABELS = {
    "advance_account.open": "前払金専用口座の登録",
    "advance_account.stop": "払出停止",
    "advance_account.resume": "払出再開",
    "advance_account.close": "前払金専用口座の閉鎖",
    "advance_deposit.record": "入金の記録",
    "use_statement.create": "使途内訳明細書の作成",
    "use_statement.update": "使途内訳明細書の修正",
    "use_statement.change": "使途変更（新しい版の作成）",
    "use_statement.submit": "使途内訳明細書の提出",
    "use_statement.review": "使途内訳明細書の確認",
    "use_statement.accept": "使途内訳明細書の承認",
    "use_statement.return": "使途内訳明細書の差戻し",
    "use_statement.supersede": "使途変更により変更前の版",
    "proof.attach": "確認書類の添付",
    "proof.remove": "確認書類の削除",
}


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


def _labelled(rows: list[HistoryRow]) -> list[HistoryRow]:
    return [replace(r, label=ADVANCE_ACTION_LABELS.get(r.label, r.label)) for r in rows]


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
    return sorted(_labelled(rows), key=lambda r: r.at)
