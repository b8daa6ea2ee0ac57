"""The advance money's work in hand on the staff home (issue 13), through register_work_items.

Statements waiting for the surety (提出済 to check, 確認済 to accept by another
approver), withdrawals waiting at the bank (依頼中), and stopped accounts: each
counted over the accounts the user may see (advances.selectors: the surety's,
a branch member's own branch only), or the one branch a head office picked.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse

from esurety.advances.kinds import AccountStatus, StatementStatus, WithdrawalStatus
from esurety.advances.models import UseStatement, Withdrawal
from esurety.advances.selectors import advance_accounts_for
from esurety.core.clock import business_date
from esurety.parties.models import User

from .selectors import WorkItem, register_work_items


def _age_note(first: dt.datetime | None, now: dt.datetime) -> str:
    if first is None:
        return ""
    return f"最も古いもの {(business_date(now) - business_date(first)).days}日前"


def advance_work_items(user: User, branch_id: int | None, now: dt.datetime) -> list[WorkItem]:
    accounts = advance_accounts_for(user=user)
    if branch_id is not None and user.branch_id is None:
        accounts = accounts.filter(guarantee__branch_id=branch_id)
    in_scope = accounts.values("pk")
    statements = (
        UseStatement.objects.filter(account__in=in_scope)
        .order_by()
        .aggregate(
            submitted=Count("pk", filter=Q(status=StatementStatus.SUBMITTED)),
            reviewed=Count("pk", filter=Q(status=StatementStatus.REVIEWED)),
            first=Min("submitted_at", filter=Q(status__in=(StatementStatus.SUBMITTED, StatementStatus.REVIEWED))),
        )
    )
    waiting = (
        Withdrawal.objects.filter(account__in=in_scope, status=WithdrawalStatus.REQUESTED)
        .order_by()
        .aggregate(n=Count("pk"), first=Min("requested_at"))
    )
    stopped = accounts.filter(status=AccountStatus.STOPPED).order_by().count()
    queue = reverse("office:advance_queue")
    return [
        WorkItem(
            "advance_statements_waiting",
            "審査待ちの前払金使途内訳明細書（提出済・承認待ち）",
            statements["submitted"] + statements["reviewed"],
            queue,
            _age_note(statements["first"], now),
            attention=True,
        ),
        WorkItem(
            "advance_withdrawals_waiting",
            "金融機関で払出待ちの払出依頼",
            waiting["n"],
            reverse("office:advance_accounts") + "?waiting=1",
            _age_note(waiting["first"], now),
        ),
        WorkItem(
            "advance_accounts_stopped",
            "払出停止中の前払金専用口座",
            stopped,
            reverse("office:advance_accounts") + f"?status={AccountStatus.STOPPED}",
            attention=True,
        ),
    ]


register_work_items(advance_work_items)
