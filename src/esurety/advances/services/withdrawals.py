"""払出依頼書 and 払出: the contractor requests, the bank that holds the account pays or returns.

A request reserves its amount on its line: what is left of a line is its amount
less what is paid and what is requested (依頼中), so a contractor cannot ask
for more than the line, however many requests are waiting. The bank pays only
if the request still fits the line in force and the advance money in the
account, and the account is not stopped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from esurety.advances import ledger
from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import AdvanceAccount, Payee, UseStatementLine, Withdrawal
from esurety.advances.rules import REASON_MAX, LineRoom, PayeeInput, check_payment, check_reason, check_withdrawal
from esurety.advances.services.common import (
    lock_account,
    notify,
    raise_if,
    wareki,
    withdrawal_event_data,
    withdrawal_snapshot,
)
from esurety.audit.services import AuditItem, audit_record, audit_record_many
from esurety.core.bulk import bulk_insert
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.core.money import format_yen
from esurety.guarantees.events import advance_events_publish
from esurety.guarantees.models import GuaranteeStatus
from esurety.parties.models import User
from esurety.parties.permissions import require_bank_user
from esurety.webhooks.models import WebhookEvent

# One upload of many requests (CSV) at most; more is split by the caller.
BULK_MAX = 2_000
# The bank's mail lists this many requests; the rest are in its portal.
MAIL_LIST_MAX = 20


@dataclass(frozen=True)
class WithdrawalInput:
    """One 払出依頼書. The payee comes from the payee book (``payee_id``) or is typed (``payee``)."""

    account_id: int
    line_no: int
    amount: int
    desired_on: dt.date | None
    payee: PayeeInput | None = None
    payee_id: int | None = None
    # How messages name this request in a bulk (e.g. 「3行目」 of a CSV); 「n件目」 if empty.
    label: str = ""


def _prefixed(violations: list[RuleViolation], index: int, label: str) -> list[RuleViolation]:
    return [RuleViolation(f"{index}.{v.field}", f"{label}: {v.message}") for v in violations]


@dataclass
class _Checked:
    """The checks of many requests: their errors, or what to write (accounts locked)."""

    violations: list[RuleViolation]
    resolved: list[tuple[WithdrawalInput, AdvanceAccount, LineRoom, PayeeInput]]
    accounts: dict[int, AdvanceAccount]
    statements: dict[int, int]
    today: dt.date


def _request_many(*, by: User, items: Sequence[WithdrawalInput], now: dt.datetime, bulk: bool) -> list[Withdrawal]:
    checked = _check_many(by=by, items=items, now=now, bulk=bulk)
    if checked.violations:
        if bulk:
            message = f"{len(items):,}件のうち誤りがあります。どの依頼も登録していません。"
            raise DomainError(message, checked.violations)
        raise_if(checked.violations)
    return _create(
        by=by,
        resolved=checked.resolved,
        accounts=checked.accounts,
        statements=checked.statements,
        now=now,
        today=checked.today,
    )


def _check_many(*, by: User, items: Sequence[WithdrawalInput], now: dt.datetime, bulk: bool) -> _Checked:
    if by.contractor_id is None or not by.is_active:
        raise NotPermitted("払出の依頼は、保証契約者の利用者のみ行えます。")
    if not items:
        raise DomainError("払出依頼がありません。", [RuleViolation("items", "払出依頼を1件以上入力してください。")])
    if len(items) > BULK_MAX:
        message = f"一度に依頼できるのは{BULK_MAX:,}件までです（{len(items):,}件あります）。"
        raise DomainError(message, [RuleViolation("items", message)])
    today = business_date(now)
    # Accounts locked in one order (by id) so that two uploads over the same accounts cannot deadlock.
    # Another contractor's account is answered like a missing one.
    ids = sorted({item.account_id for item in items})
    owned = set(
        AdvanceAccount.objects.filter(pk__in=ids, guarantee__contractor_id=by.contractor_id).values_list(
            "pk", flat=True
        )
    )
    accounts = {pk: lock_account(pk) for pk in ids if pk in owned}
    rooms: dict[int, dict[int, LineRoom]] = {}
    statements: dict[int, int] = {}
    for pk, locked in accounts.items():
        current = ledger.accepted_statement(locked)
        rooms[pk] = ledger.line_rooms(current)
        if current is not None:
            statements[pk] = current.pk
    payee_ids = {item.payee_id for item in items if item.payee_id is not None}
    book = {p.pk: p for p in Payee.objects.filter(pk__in=payee_ids, contractor_id=by.contractor_id, is_active=True)}

    violations: list[RuleViolation] = []
    # What this upload itself asks of each line, so that its rows together fit what is left.
    asked: dict[tuple[int, int], int] = defaultdict(int)
    resolved: list[tuple[WithdrawalInput, AdvanceAccount, LineRoom, PayeeInput]] = []
    for i, item in enumerate(items):
        label = item.label or f"{i + 1}件目"
        found: list[RuleViolation] = []
        acc = accounts.get(item.account_id)
        payee = _payee_of(item, book, found)
        if acc is None:
            found.append(RuleViolation("account_id", "前払金専用口座が見つかりません。"))
        elif acc.guarantee.status != GuaranteeStatus.ACTIVE:
            found.append(RuleViolation("account_id", f"保証契約 {acc.guarantee.number} は有効ではありません。"))
        elif item.account_id not in statements:
            found.append(RuleViolation("line_no", "承認済の前払金使途内訳明細書がないため、払出を依頼できません。"))
        else:
            room = rooms[item.account_id].get(item.line_no)
            if room is not None:
                key = (item.account_id, item.line_no)
                room = LineRoom(**{**room.__dict__, "pending": room.pending + asked[key]})
            found += check_withdrawal(
                account_status=acc.status,
                stop_reason=acc.stop_reason,
                line=room,
                amount=item.amount,
                desired_on=item.desired_on,
                today=today,
                payee=payee,
            )
            if not found and room is not None:
                asked[(item.account_id, item.line_no)] += item.amount
                resolved.append((item, acc, room, payee))
        violations += _prefixed(found, i, label) if bulk else found
    return _Checked(violations, resolved, accounts, statements, today)


def _payee_of(item: WithdrawalInput, book: dict[int, Payee], found: list[RuleViolation]) -> PayeeInput:
    if item.payee_id is None:
        return (item.payee or PayeeInput(name="")).normalized()
    p = book.get(item.payee_id)
    if p is None:
        found.append(RuleViolation("payee_id", "支払先台帳にこの支払先がありません。"))
        return PayeeInput(name="-")
    return PayeeInput(
        name=p.name,
        bank_name=p.bank_name,
        bank_code=p.bank_code,
        branch_name=p.branch_name,
        branch_code=p.branch_code,
        account_type=p.account_type,
        account_number=p.account_number,
        holder_kana=p.holder_kana,
    )


def _create(
    *,
    by: User,
    resolved: list[tuple[WithdrawalInput, AdvanceAccount, LineRoom, PayeeInput]],
    accounts: dict[int, AdvanceAccount],
    statements: dict[int, int],
    now: dt.datetime,
    today: dt.date,
) -> list[Withdrawal]:
    # The accounts are locked, so nobody else numbers their requests meanwhile.
    next_seq = {
        r["account_id"]: (r["top"] or 0) + 1
        for r in Withdrawal.objects.filter(account_id__in=statements.keys())
        .values("account_id")
        .annotate(top=Max("seq"))
        .order_by()
    }
    line_ids = _line_ids(statements.values())
    made: list[Withdrawal] = []
    for item, acc, room, payee in resolved:
        assert item.desired_on is not None  # checked by the rules
        seq = next_seq.get(acc.pk, 1)
        next_seq[acc.pk] = seq + 1
        made.append(
            Withdrawal(
                account_id=acc.pk,
                seq=seq,
                number=f"{acc.guarantee.number}-{seq:04d}",
                statement_id=statements[acc.pk],
                line_id=line_ids[(statements[acc.pk], room.line_no)],
                line_no=room.line_no,
                category=room.category,
                bank_id=acc.bank_id,
                bank_branch_id=acc.bank_branch_id,
                contractor_id=acc.guarantee.contractor_id,
                amount=item.amount,
                method=room.method,
                desired_on=item.desired_on,
                payee_name=payee.name,
                payee_bank_name=payee.bank_name,
                payee_bank_code=payee.bank_code,
                payee_branch_name=payee.branch_name,
                payee_branch_code=payee.branch_code,
                payee_account_type=payee.account_type,
                payee_account_number=payee.account_number,
                payee_holder_kana=payee.holder_kana,
                status=WithdrawalStatus.REQUESTED,
                requested_by=by,
                requested_at=now,
                requested_on=today,
            )
        )
    bulk_insert(made)
    audit_record_many(
        actor=by,
        at=now,
        items=[
            AuditItem(
                action="withdrawal.request",
                object_type=Withdrawal.__name__,
                object_id=str(w.pk),
                after=withdrawal_snapshot(w),
                surety_id=accounts[w.account_id].guarantee.surety_id,
                branch_id=accounts[w.account_id].guarantee.branch_id,
            )
            for w in made
        ],
    )
    by_account: dict[int, list[Withdrawal]] = defaultdict(list)
    for w in made:
        by_account[w.account_id].append(w)
    for account_id, rows in by_account.items():
        acc = accounts[account_id]
        advance_events_publish(
            event=WebhookEvent.WITHDRAWAL_REQUESTED,
            guarantee=acc.guarantee,
            bank_id=acc.bank_id,
            extras=[withdrawal_event_data(w, acc) for w in rows],
            now=now,
        )
        notify(
            account=acc,
            template="advance_withdrawals_requested",
            context={
                "count": len(rows),
                "total": format_yen(sum(w.amount for w in rows)),
                "rows": [
                    {
                        "number": w.number,
                        "amount": format_yen(w.amount),
                        "payee": w.payee_name,
                        "desired_on": wareki(w.desired_on),
                    }
                    for w in rows[:MAIL_LIST_MAX]
                ],
                "more": max(0, len(rows) - MAIL_LIST_MAX),
            },
            now=now,
            obj=acc,
            contractor=False,
            bank=True,
        )
    return made


def _line_ids(statement_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(statement id, line_no) → the line's id, for the statements in force."""
    rows = UseStatementLine.objects.filter(statement_id__in=list(statement_ids)).values_list(
        "pk", "statement_id", "line_no"
    )
    return {(statement_id, line_no): pk for pk, statement_id, line_no in rows}


@transaction.atomic
def withdrawal_request(*, by: User, data: WithdrawalInput, now: dt.datetime) -> Withdrawal:
    """One 払出依頼書 (依頼中), checked against what is left of its line."""
    return _request_many(by=by, items=[data], now=now, bulk=False)[0]


@transaction.atomic
def withdrawals_request_bulk(*, by: User, items: Sequence[WithdrawalInput], now: dt.datetime) -> list[Withdrawal]:
    """Many requests at once (an upload): all or nothing, validated as a whole.

    Every row is checked, and the rows for one line together must fit what is left of it;
    if any row is wrong nothing is requested and each error names its row
    (field ``<index>.<field>``, message starting with the row's label).
    """
    return _request_many(by=by, items=items, now=now, bulk=True)


@transaction.atomic
def withdrawals_check_bulk(*, by: User, items: Sequence[WithdrawalInput], now: dt.datetime) -> list[RuleViolation]:
    """The checks of withdrawals_request_bulk without requesting anything (same fields and
    messages): an upload with unreadable lines still gets, in the same answer, the rule errors
    of its readable ones."""
    return _check_many(by=by, items=items, now=now, bulk=True).violations


def _lock_requested(withdrawal: Withdrawal, by: User) -> tuple[AdvanceAccount, Withdrawal]:
    # The account row is locked before the request is read, and held to the end of the
    # transaction: two payments on one account (two clerks, or the portal and the API, paying
    # the last yen of a line or of the balance at the same moment) run one after the other, so
    # the second sees the first as paid and is refused. Locking only the request rows would let
    # both read the same "left" and both pay. lock_account says SELECT … FOR UPDATE OF the
    # account (SQLite, which has no row locks, serialises writers as a whole).
    acc = lock_account(withdrawal.account_id)
    require_bank_user(by, bank_id=acc.bank_id, bank_branch_id=acc.bank_branch_id)
    w = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
    if w.status != WithdrawalStatus.REQUESTED:
        raise InvalidStateError(f"払出依頼 {w.number} は「{w.get_status_display()}」のため、この操作はできません。")
    return acc, w


def _after_decision(acc: AdvanceAccount, w: Withdrawal, *, by: User, action: str, event: str, now: dt.datetime) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=w,
        at=now,
        before={"status": WithdrawalStatus.REQUESTED, "number": w.number},
        after={**withdrawal_snapshot(w), "reason": w.return_reason} if w.return_reason else withdrawal_snapshot(w),
        surety_id=acc.guarantee.surety_id,
    )
    advance_events_publish(
        event=event, guarantee=acc.guarantee, bank_id=acc.bank_id, extras=[withdrawal_event_data(w, acc)], now=now
    )


@transaction.atomic
def withdrawal_pay(*, withdrawal: Withdrawal, by: User, paid_on: dt.date, now: dt.datetime) -> Withdrawal:
    """払出 by the bank holding the account: 依頼中 → 払出済 with the payment date (払出報告 to the surety)."""
    acc, w = _lock_requested(withdrawal, by)
    if acc.guarantee.status == GuaranteeStatus.CANCELLED:
        # The advance of a cancelled contract is the orderer's to claim back. (After the guarantee
        # period, 満了, a request made in time is still paid.)
        raise InvalidStateError(f"保証契約 {acc.guarantee.number} は解約されたため払出できません。差戻してください。")
    line = ledger.line_rooms(ledger.accepted_statement(acc)).get(w.line_no)
    raise_if(
        check_payment(
            account_status=acc.status,
            stop_reason=acc.stop_reason,
            line=line,
            balance=ledger.balance(acc.pk).advance_balance,
            amount=w.amount,
            paid_on=paid_on,
            requested_on=w.requested_on,
            today=business_date(now),
        ),
        "この払出依頼は払出できません。",
    )
    w.status = WithdrawalStatus.PAID
    w.paid_on = paid_on
    w.acted_by = by
    w.acted_at = now
    w.save(update_fields=["status", "paid_on", "acted_by", "acted_at"])
    _after_decision(acc, w, by=by, action="withdrawal.pay", event=WebhookEvent.WITHDRAWAL_PAID, now=now)
    notify(
        account=acc,
        template="advance_withdrawal_paid",
        context={
            "withdrawal_number": w.number,
            "amount": format_yen(w.amount),
            "payee": w.payee_name,
            "use": w.get_category_display(),
            "paid_on": wareki(paid_on),
        },
        now=now,
        obj=w,
    )
    return w


@transaction.atomic
def withdrawal_return(*, withdrawal: Withdrawal, by: User, reason: str, now: dt.datetime) -> Withdrawal:
    """差戻し by the bank, with a reason the contractor sees; the amount is free again on its line."""
    acc, w = _lock_requested(withdrawal, by)
    raise_if(check_reason(reason, label="差戻しの理由", limit=REASON_MAX))
    w.status = WithdrawalStatus.RETURNED
    w.return_reason = reason.strip()
    w.acted_by = by
    w.acted_at = now
    w.save(update_fields=["status", "return_reason", "acted_by", "acted_at"])
    _after_decision(acc, w, by=by, action="withdrawal.return", event=WebhookEvent.WITHDRAWAL_RETURNED, now=now)
    notify(
        account=acc,
        template="advance_withdrawal_returned",
        context={
            "withdrawal_number": w.number,
            "amount": format_yen(w.amount),
            "payee": w.payee_name,
            "use": w.get_category_display(),
            "reason": w.return_reason,
        },
        now=now,
        obj=w,
    )
    return w
