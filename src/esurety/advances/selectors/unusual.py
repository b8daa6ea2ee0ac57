"""Accounts worth a look by the surety's auditors: patterns, not verdicts.

- a payee other than the line's own taking more than half of a line
  (rules.UNUSUAL_PAYEE_SHARE), paid or requested;
- requests or payments after a stop (払出停止), once resumed;
- advance money left in the account after the works' end (工事末日), which the
  orderer may claim back.
Each pattern is one aggregate query over the staff member's scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from esurety.advances.kinds import (
    COMMITTED_WITHDRAWAL_STATUSES,
    AccountStatus,
    DepositKind,
    StatementStatus,
    WithdrawalStatus,
)
from esurety.advances.models import AdvanceAccount, Deposit, UseStatementLine, Withdrawal
from esurety.advances.rules import UNUSUAL_PAYEE_SHARE, category_label
from esurety.advances.selectors.scope import advance_accounts_for
from esurety.core.clock import business_date
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.parties.models import User
from esurety.parties.permissions import STAFF_ROLES

# The primary keys of the accounts in the staff member's scope, as a query: each pattern filters by it
# as a subquery (tens of thousands of ids as a list of parameters would be slow on PostgreSQL and over
# SQLite's limit of bound variables).
Scope = QuerySet[AdvanceAccount, Any]


@dataclass(frozen=True)
class UnusualAccount:
    account: AdvanceAccount
    reasons: tuple[str, ...]


def _dominant_payees(accounts: Scope) -> dict[int, list[str]]:
    line = UseStatementLine.objects.filter(
        statement__account_id=OuterRef("account_id"),
        statement__status=StatementStatus.ACCEPTED,
        line_no=OuterRef("line_no"),
    )
    share = UNUSUAL_PAYEE_SHARE
    rows = (
        Withdrawal.objects.filter(account_id__in=accounts, status__in=COMMITTED_WITHDRAWAL_STATUSES)
        .values("account_id", "line_no", "payee_name")
        .annotate(
            total=Sum("amount"),
            line_amount=Subquery(line.values("amount")[:1]),
            line_payee=Subquery(line.values("payee_name")[:1]),
            category=Subquery(line.values("category")[:1]),
        )
        # total / line_amount > share, in integers.
        .filter(line_amount__isnull=False, total__gt=F("line_amount") * share.numerator / share.denominator)
        .order_by()
    )
    out: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if r["payee_name"] == r["line_payee"] or r["total"] * share.denominator <= r["line_amount"] * share.numerator:
            continue
        percent = r["total"] * 100 // r["line_amount"]
        out[r["account_id"]].append(
            f"{category_label(r['category'])}の行（{format_yen(r['line_amount'])}円）の{percent}%を、"
            f"明細書の支払先（{r['line_payee'] or '未定'}）ではない「{r['payee_name']}」が占めています"
            f"（{format_yen(r['total'])}円）。"
        )
    return out


def _after_stop(accounts: Scope) -> dict[int, list[str]]:
    since_stop = Withdrawal.objects.filter(account=OuterRef("pk"), status__in=COMMITTED_WITHDRAWAL_STATUSES).filter(
        Q(requested_at__gte=OuterRef("stopped_at"))
        | Q(status=WithdrawalStatus.PAID, acted_at__gte=OuterRef("stopped_at"))
    )
    rows = (
        AdvanceAccount.objects.filter(pk__in=accounts, stopped_at__isnull=False)
        .filter(Exists(since_stop))
        .annotate(
            n=Count(
                "withdrawals",
                filter=Q(withdrawals__status__in=COMMITTED_WITHDRAWAL_STATUSES)
                & (
                    Q(withdrawals__requested_at__gte=F("stopped_at"))
                    | Q(withdrawals__status=WithdrawalStatus.PAID, withdrawals__acted_at__gte=F("stopped_at"))
                ),
            )
        )
        .values("pk", "stopped_at", "n")
    )
    out: dict[int, list[str]] = {}
    for r in rows:
        stopped_on = format_wareki(business_date(r["stopped_at"]), padded=False)
        out[r["pk"]] = [f"払出停止（{stopped_on}）の後の払出依頼・払出が{r['n']}件あります。"]
    return out


def _left_after_end(accounts: Scope, today: dt.date) -> dict[int, list[str]]:
    deposited = (
        Deposit.objects.filter(account=OuterRef("pk"), kind=DepositKind.ADVANCE)
        .values("account")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    paid = (
        Withdrawal.objects.filter(account=OuterRef("pk"), status=WithdrawalStatus.PAID)
        .values("account")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    rows = (
        AdvanceAccount.objects.filter(pk__in=accounts, guarantee__completion_date__lt=today)
        .exclude(status=AccountStatus.CLOSED)
        .annotate(
            left=Coalesce(Subquery(deposited), 0) - Coalesce(Subquery(paid), 0),
            completion=F("guarantee__completion_date"),
        )
        .filter(left__gt=0)
        .values("pk", "left", "completion")
    )
    return {
        r["pk"]: [
            f"工事末日（{format_wareki(r['completion'], padded=False)}）を過ぎて、前払金残高が"
            f"{format_yen(r['left'])}円残っています（発注者が返還を求めることのできる額です）。"
        ]
        for r in rows
    }


def unusual_accounts_for_staff(*, user: User, today: dt.date) -> list[UnusualAccount]:
    """The accounts of the staff member's scope showing a pattern, each with its reasons in Japanese."""
    if user.surety_id is None or user.role not in STAFF_ROLES:
        return []
    scope = advance_accounts_for(user=user).values("pk")
    found: dict[int, list[str]] = defaultdict(list)
    for part in (_dominant_payees(scope), _after_stop(scope), _left_after_end(scope, today)):
        for pk, reasons in part.items():
            found[pk].extend(reasons)
    accounts = AdvanceAccount.objects.filter(pk__in=found).select_related(
        "guarantee", "guarantee__contractor", "bank", "bank_branch"
    )
    return [
        UnusualAccount(account=a, reasons=tuple(found[a.pk]))
        for a in sorted(accounts, key=lambda a: a.guarantee.number)
    ]
