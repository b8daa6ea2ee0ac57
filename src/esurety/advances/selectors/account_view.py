"""The account as the surety audits it (保証事業法 art. 27) and as the contractor and the bank see it.

Deposits, the balance, what each line of the statement in force has paid and
has waiting, by payee, and what is left: a handful of aggregate queries,
whatever the number of withdrawals. The caller has scoped the account
(selectors.scope) and decides what of it to show to whom.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from esurety.advances.kinds import (
    COMMITTED_WITHDRAWAL_STATUSES,
    OPEN_STATEMENT_STATUSES,
    AccountStatus,
    DepositKind,
    StatementStatus,
    UseCategory,
    WithdrawalStatus,
)
from esurety.advances.ledger import Balance
from esurety.advances.models import AdvanceAccount, Deposit, UseStatement, UseStatementLine, Withdrawal
from esurety.guarantees.models import Guarantee, GuaranteeStatus


@dataclass(frozen=True)
class PayeeTotal:
    name: str
    paid: int
    pending: int
    count: int


@dataclass(frozen=True)
class LineView:
    """One line of the statement in force and what it has given."""

    line_no: int
    category: str
    payee_name: str  # "" is 未定
    amount: int
    planned_on: dt.date
    method: str
    paid: int
    pending: int
    payees: list[PayeeTotal] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return UseCategory(self.category).label

    @property
    def left(self) -> int:
        """What may still be requested (paid and 依頼中 taken off)."""
        return self.amount - self.paid - self.pending

    @property
    def is_undecided(self) -> bool:
        return self.payee_name == ""


@dataclass(frozen=True)
class AccountView:
    account: AdvanceAccount
    guarantee: Guarantee
    statement: UseStatement | None  # the version in force (承認済)
    open_statement: UseStatement | None  # a version being written or examined (使途変更 included)
    balance: Balance
    lines: list[LineView]
    payees: list[PayeeTotal]  # across the account, largest first
    deposits: list[Deposit]
    needs_new_statement: bool  # the guarantee's amount changed since the statement in force was accepted
    works_ended: bool  # 工事末日 passed, or the guarantee is cancelled / expired, or the account closed

    @property
    def claimable_balance(self) -> int | None:
        """At completion or cancellation, what is left is what the orderer may claim back."""
        return self.balance.advance_balance if self.works_ended else None

    @property
    def planned_total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def left_total(self) -> int:
        return sum(line.left for line in self.lines)


def account_view(*, account: AdvanceAccount, today: dt.date) -> AccountView:
    g = account.guarantee
    statements = list(
        UseStatement.objects.filter(account=account, status__in=(StatementStatus.ACCEPTED, *OPEN_STATEMENT_STATUSES))
    )
    in_force = next((s for s in statements if s.status == StatementStatus.ACCEPTED), None)
    open_one = next((s for s in statements if s.status != StatementStatus.ACCEPTED), None)

    # One grouped query: per line and payee, paid and waiting.
    grouped = (
        Withdrawal.objects.filter(account=account, status__in=COMMITTED_WITHDRAWAL_STATUSES)
        .values("line_no", "payee_name")
        .annotate(
            paid=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.PAID)), 0),
            pending=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.REQUESTED)), 0),
            count=Count("pk"),
        )
        .order_by()
    )
    by_line: dict[int, list[PayeeTotal]] = defaultdict(list)
    by_payee: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in grouped:
        by_line[row["line_no"]].append(PayeeTotal(row["payee_name"], row["paid"], row["pending"], row["count"]))
        totals = by_payee[row["payee_name"]]
        totals[0] += row["paid"]
        totals[1] += row["pending"]
        totals[2] += row["count"]

    lines: list[LineView] = []
    if in_force is not None:
        for line in UseStatementLine.objects.filter(statement=in_force).order_by("position"):
            payees = sorted(by_line.get(line.line_no, []), key=lambda p: (-(p.paid + p.pending), p.name))
            lines.append(
                LineView(
                    line_no=line.line_no,
                    category=line.category,
                    payee_name=line.payee_name,
                    amount=line.amount,
                    planned_on=line.planned_on,
                    method=line.method,
                    paid=sum(p.paid for p in payees),
                    pending=sum(p.pending for p in payees),
                    payees=payees,
                )
            )
    deposits = list(Deposit.objects.filter(account=account).select_related("recorded_by").order_by("booked_on", "pk"))
    balance = Balance(
        advance_deposited=sum(d.amount for d in deposits if d.kind == DepositKind.ADVANCE),
        interest_deposited=sum(d.amount for d in deposits if d.kind == DepositKind.INTEREST),
        paid=sum(t[0] for t in by_payee.values()),
        pending=sum(t[1] for t in by_payee.values()),
    )
    return AccountView(
        account=account,
        guarantee=g,
        statement=in_force,
        open_statement=open_one,
        balance=balance,
        lines=lines,
        payees=sorted(
            (PayeeTotal(name, t[0], t[1], t[2]) for name, t in by_payee.items()),
            key=lambda p: (-(p.paid + p.pending), p.name),
        ),
        deposits=deposits,
        needs_new_statement=in_force is not None and in_force.advance_amount != g.guaranteed_amount,
        works_ended=(
            account.status == AccountStatus.CLOSED or g.status != GuaranteeStatus.ACTIVE or g.completion_date < today
        ),
    )
