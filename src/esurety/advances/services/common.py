"""Helpers shared by the advance services: locks, snapshots, recipients, mail and webhook data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from esurety.advances.models import AdvanceAccount, UseStatement, Withdrawal
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.wareki import format_wareki
from esurety.guarantees.services.mail import contractor_recipients
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import User

ACCOUNT_RELATED = (
    "guarantee",
    "guarantee__surety",
    "guarantee__branch",
    "guarantee__contractor",
    "guarantee__orderer",
    "bank",
    "bank_branch",
)


def lock_account(account: AdvanceAccount | int) -> AdvanceAccount:
    """The account row, locked until the end of the transaction.

    Every write that depends on what an account holds (a request, a payment, a
    statement accepted, a stop) takes this lock first, so that two of them on the
    same account run one after the other and each sees what the other wrote.
    of=("self",): only the account row is locked, not the joined guarantee and parties.
    """
    pk = account if isinstance(account, int) else account.pk
    return AdvanceAccount.objects.select_for_update(of=("self",)).select_related(*ACCOUNT_RELATED).get(pk=pk)


def raise_if(violations: list[RuleViolation], message: str = "入力に誤りがあります。") -> None:
    """A broken rule on the account's state is a conflict (409 in the API); any other is bad input."""
    if not violations:
        return
    state = [v for v in violations if v.field == "account"]
    if state:
        raise InvalidStateError(state[0].message, violations)
    raise DomainError(message, violations)


def account_snapshot(account: AdvanceAccount) -> dict[str, Any]:
    return {
        "guarantee": account.guarantee.number,
        "bank": account.bank.code,
        "bank_branch": account.bank_branch.code,
        "account_type": account.account_type,
        "account_number": account.account_number,
        "holder_kana": account.holder_kana,
        "status": account.status,
    }


def statement_snapshot(statement: UseStatement) -> dict[str, Any]:
    return {
        "version": statement.version,
        "status": statement.status,
        "advance_amount": statement.advance_amount,
        "lines": [
            [line.line_no, line.category, line.payee_name, line.amount, line.planned_on.isoformat(), line.method]
            for line in statement.lines.order_by("position")
        ],
    }


def withdrawal_snapshot(w: Withdrawal) -> dict[str, Any]:
    return {
        "number": w.number,
        "status": w.status,
        "line_no": w.line_no,
        "amount": w.amount,
        "payee_name": w.payee_name,
        "paid_on": w.paid_on.isoformat() if w.paid_on else None,
    }


def withdrawal_event_data(w: Withdrawal, account: AdvanceAccount) -> dict[str, Any]:
    """A withdrawal event's extra data (webhooks): the account and the request, no proofs."""
    return {
        "account": {
            "bank_code": account.bank.code,
            "branch_code": account.bank_branch.code,
            "account_type": account.account_type,
            "account_number": account.account_number,
        },
        "withdrawal": {
            "number": w.number,
            "status": w.status,
            "status_label": w.get_status_display(),
            "use": w.category,
            "use_label": w.get_category_display(),
            "line_no": w.line_no,
            "amount": w.amount,
            "method": w.method,
            "desired_on": w.desired_on,
            "requested_at": w.requested_at,
            "paid_on": w.paid_on,
            "return_reason": w.return_reason,
            "payee": {
                "name": w.payee_name,
                "bank_name": w.payee_bank_name,
                "bank_code": w.payee_bank_code,
                "branch_name": w.payee_branch_name,
                "branch_code": w.payee_branch_code,
                "account_type": w.payee_account_type,
                "account_number": w.payee_account_number,
                "holder_kana": w.payee_holder_kana,
            },
        },
    }


def bank_recipients(account: AdvanceAccount) -> list[str]:
    """The bank's people who handle this account: the whole bank's and this branch's (not other branches')."""
    users = User.objects.filter(
        Q(bank_branch__isnull=True) | Q(bank_branch_id=account.bank_branch_id),
        deposit_bank_id=account.bank_id,
        is_active=True,
    ).exclude(email="")
    return list(users.order_by("pk").values_list("email", flat=True))


def base_context(account: AdvanceAccount) -> dict[str, Any]:
    g = account.guarantee
    return {
        "surety_name": g.surety.name,
        "contractor_name": g.contractor.name,
        "orderer_name": g.orderer.name,
        "kind_full_name": g.kind_full_name,
        "number": g.number,
        "work_name": g.work_name,
        "bank_name": account.bank.name,
        "bank_branch_name": account.bank_branch.name,
        "account_type": account.get_account_type_display(),
        "account_number": account.account_number,
    }


def notify(
    *,
    account: AdvanceAccount,
    template: str,
    context: dict[str, Any],
    now: dt.datetime,
    obj: Any,
    contractor: bool = True,
    bank: bool = False,
) -> int:
    """One message per address (nobody sees another's), queued in the outbox in this transaction."""
    base = {**base_context(account), **context}
    sent = 0
    if contractor:
        for address in contractor_recipients(account.guarantee):
            ctx = {**base, "for_bank": False, "recipient_name": f"{account.guarantee.contractor.name} 様"}
            outbox_enqueue(template=template, to=[address], context=ctx, at=now, obj=obj)
            sent += 1
    if bank:
        for address in bank_recipients(account):
            ctx = {**base, "for_bank": True, "recipient_name": f"{account.bank.name} {account.bank_branch.name} 御中"}
            outbox_enqueue(template=template, to=[address], context=ctx, at=now, obj=obj)
            sent += 1
    return sent


def wareki(day: dt.date | None) -> str:
    return format_wareki(day, padded=False)
