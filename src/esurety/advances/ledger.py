"""What an account holds and what each line has given, computed by the database.

Shared by services (checks under the account's lock) and selectors (the
account view). Each function is one or two aggregate queries, whatever the
number of withdrawals; none decides who may see what (selectors do).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce

from esurety.advances.kinds import (
    COMMITTED_WITHDRAWAL_STATUSES,
    DepositKind,
    StatementStatus,
    WithdrawalStatus,
)
from esurety.advances.models import AdvanceAccount, Deposit, UseStatement, UseStatementLine, Withdrawal
from esurety.advances.rules import Commitment, LineRoom


def accepted_statement(account: AdvanceAccount) -> UseStatement | None:
    """The version in force (承認済), or None before the first acceptance."""
    return UseStatement.objects.filter(account=account, status=StatementStatus.ACCEPTED).first()


def commitments(account_id: int) -> dict[int, Commitment]:
    """line_no → paid and requested (returned requests give nothing back to count)."""
    rows = (
        Withdrawal.objects.filter(account_id=account_id, status__in=COMMITTED_WITHDRAWAL_STATUSES)
        .values("line_no")
        .annotate(
            paid=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.PAID)), 0),
            pending=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.REQUESTED)), 0),
            category=Max("category"),
        )
        .order_by()
    )
    return {r["line_no"]: Commitment(category=r["category"], paid=r["paid"], pending=r["pending"]) for r in rows}


def line_rooms(statement: UseStatement | None) -> dict[int, LineRoom]:
    """The lines of a statement in force with what each has given: line_no → LineRoom."""
    if statement is None:
        return {}
    done = commitments(statement.account_id)
    out: dict[int, LineRoom] = {}
    for line in UseStatementLine.objects.filter(statement=statement).order_by("position"):
        c = done.get(line.line_no)
        out[line.line_no] = LineRoom(
            line_no=line.line_no,
            category=line.category,
            payee_name=line.payee_name,
            amount=line.amount,
            method=line.method,
            paid=c.paid if c else 0,
            pending=c.pending if c else 0,
        )
    return out


@dataclass(frozen=True)
class Balance:
    advance_deposited: int
    interest_deposited: int
    paid: int
    pending: int

    @property
    def advance_balance(self) -> int:
        """The advance money still in the account (interest is not advance money)."""
        return self.advance_deposited - self.paid


def balance(account_id: int) -> Balance:
    deposits = Deposit.objects.filter(account_id=account_id).aggregate(
        advance=Coalesce(Sum("amount", filter=Q(kind=DepositKind.ADVANCE)), 0),
        interest=Coalesce(Sum("amount", filter=Q(kind=DepositKind.INTEREST)), 0),
    )
    out = Withdrawal.objects.filter(account_id=account_id, status__in=COMMITTED_WITHDRAWAL_STATUSES).aggregate(
        paid=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.PAID)), 0),
        pending=Coalesce(Sum("amount", filter=Q(status=WithdrawalStatus.REQUESTED)), 0),
    )
    return Balance(
        advance_deposited=deposits["advance"],
        interest_deposited=deposits["interest"],
        paid=out["paid"],
        pending=out["pending"],
    )


def paid_on_line(account_id: int, line_no: int, *, excluding: int | None = None) -> int:
    qs = Withdrawal.objects.filter(account_id=account_id, line_no=line_no, status=WithdrawalStatus.PAID)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return int(qs.aggregate(total=Coalesce(Sum("amount"), 0))["total"])
