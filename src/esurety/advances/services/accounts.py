"""前払金専用口座: registration, deposits (入金), stop / resume (払出停止・再開) and closing.

How an account comes to exist: the contractor opens the 前払金専用口座 at a
branch of a deposit bank under contract with the surety and registers it here
once the advance guarantee is concluded (the number is on its passbook); the
surety's staff may register it for the contractor from the application papers.
Nothing is created automatically at conclusion: the application only carries
the bank's name as free text, which names no account.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from esurety.advances.kinds import AccountStatus, DepositKind, WithdrawalStatus
from esurety.advances.ledger import balance
from esurety.advances.models import AdvanceAccount, Deposit
from esurety.advances.rules import REASON_MAX, AccountInput, check_account, check_reason
from esurety.advances.services.common import account_snapshot, lock_account, notify, raise_if, wareki
from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.core.kinds import ADVANCE_KINDS
from esurety.core.money import format_yen
from esurety.guarantees.events import advance_events_publish
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import DepositBankBranch, SuretyBankContract, User
from esurety.parties.permissions import require_approver, require_bank_user, require_contractor_user, require_staff
from esurety.webhooks.models import WebhookEvent


def _require_contractor_or_staff(by: User, g: Guarantee) -> None:
    if by.contractor_id is not None:
        require_contractor_user(by, g.contractor)
    elif by.surety_id is not None:
        require_staff(by, surety=g.surety, branch=g.branch)
    else:
        raise NotPermitted("前払金専用口座の登録は、保証契約者または保証会社の職員が行います。")


@transaction.atomic
def account_open(*, guarantee: Guarantee, by: User, data: AccountInput, now: dt.datetime) -> AdvanceAccount:
    """Register the 前払金専用口座 of a concluded 前払金保証 / 中間前払金保証 (one per guarantee)."""
    # The guarantee row is locked so that two registrations at once cannot both pass the check below.
    g = (
        Guarantee.objects.select_for_update(of=("self",))
        .select_related("surety", "branch", "contractor", "orderer")
        .get(pk=guarantee.pk)
    )
    _require_contractor_or_staff(by, g)
    if g.kind not in ADVANCE_KINDS:
        raise InvalidStateError("前払金専用口座は、前払金保証・中間前払金保証にのみ登録できます。")
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため口座を登録できません。")
    if AdvanceAccount.objects.filter(guarantee=g).exists():
        raise InvalidStateError(f"保証契約 {g.number} の前払金専用口座は登録済みです。")
    data = data.normalized()
    violations = check_account(data)
    branch = DepositBankBranch.objects.select_related("bank").filter(pk=data.bank_branch_id).first()
    if branch is None:
        violations.append(RuleViolation("bank_branch", "預託金融機関の支店を選んでください。"))
    elif not SuretyBankContract.in_force(surety_id=g.surety_id, bank_id=branch.bank_id, on=business_date(now)):
        violations.append(
            RuleViolation("bank_branch", f"{branch.bank.name}は{g.surety.name}の預託金融機関ではありません。")
        )
    raise_if(violations)
    assert branch is not None
    account = AdvanceAccount(
        guarantee=g,
        bank=branch.bank,
        bank_branch=branch,
        account_type=data.account_type,
        account_number=data.account_number,
        holder_kana=data.holder_kana,
        opened_at=now,
        opened_by=by,
    )
    try:
        # A savepoint: the unique number is checked by the database, and this transaction goes on.
        with transaction.atomic():
            account.save()
    except IntegrityError:
        message = "この支店・預金種目・口座番号の口座は、別の保証契約に登録されています。"
        raise DomainError(message, [RuleViolation("account_number", message)]) from None
    audit_record(
        actor=by,
        action="advance_account.open",
        obj=account,
        at=now,
        after=account_snapshot(account),
        surety_id=g.surety_id,
    )
    return account


@transaction.atomic
def deposit_record(
    *,
    account: AdvanceAccount,
    by: User,
    kind: str,
    amount: int,
    booked_on: dt.date,
    note: str = "",
    now: dt.datetime,
) -> Deposit:
    """入金, recorded by the bank that holds the account: the orderer's advance, or interest."""
    acc = lock_account(account)
    require_bank_user(by, bank_id=acc.bank_id, bank_branch_id=acc.bank_branch_id)
    if acc.status == AccountStatus.CLOSED:
        raise InvalidStateError("閉鎖された口座には入金を記録できません。")
    violations: list[RuleViolation] = []
    if kind not in DepositKind.values:
        violations.append(RuleViolation("kind", "入金の種類（前払金・利息）を選んでください。"))
    if amount < 1:
        violations.append(RuleViolation("amount", "金額は1円以上で入力してください。"))
    if booked_on > business_date(now):
        violations.append(RuleViolation("booked_on", "入金日に未来の日付は入力できません。"))
    if len(note.strip()) > 200:
        violations.append(RuleViolation("note", "摘要は200文字以内で入力してください。"))
    raise_if(violations)
    deposit = Deposit.objects.create(
        account=acc, kind=kind, amount=amount, booked_on=booked_on, note=note.strip(), recorded_by=by, recorded_at=now
    )
    audit_record(
        actor=by,
        action="advance_deposit.record",
        obj=deposit,
        at=now,
        after={
            "guarantee": acc.guarantee.number,
            "kind": kind,
            "amount": amount,
            "booked_on": booked_on.isoformat(),
            "note": deposit.note,
        },
        surety_id=acc.guarantee.surety_id,
    )
    return deposit


def _account_event(acc: AdvanceAccount, event: str, now: dt.datetime, **data: object) -> None:
    extra = {
        "account": {
            "bank_code": acc.bank.code,
            "branch_code": acc.bank_branch.code,
            "account_type": acc.account_type,
            "account_number": acc.account_number,
            "status": acc.status,
            **data,
        }
    }
    advance_events_publish(event=event, guarantee=acc.guarantee, bank_id=acc.bank_id, extras=[extra], now=now)


@transaction.atomic
def account_stop(*, account: AdvanceAccount, by: User, reason: str, now: dt.datetime) -> AdvanceAccount:
    """払出停止 by the surety's staff (e.g. a 保証事故): the bank pays nothing until resumed."""
    acc = lock_account(account)
    g = acc.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    return _stop(acc, by=by, reason=reason, now=now)


@transaction.atomic
def account_stop_on_claim(*, guarantee: Guarantee, by: User, reason: str, now: dt.datetime) -> AdvanceAccount | None:
    """払出停止 when the orderer claims on the guarantee (保証事故): nothing more leaves the account
    while the claim is assessed, and what is left is recovered by subrogation after payment.

    Called by esurety.claims' claim_file, which has checked that ``by`` is the beneficiary
    orderer's user holding the certificate. None when there is no account, or it is already
    stopped or closed (nothing to stop).
    """
    pk = AdvanceAccount.objects.filter(guarantee_id=guarantee.pk).values_list("pk", flat=True).first()
    if pk is None:
        return None
    acc = lock_account(pk)
    if acc.status != AccountStatus.ACTIVE:
        return None
    return _stop(acc, by=by, reason=reason, now=now)


def _stop(acc: AdvanceAccount, *, by: User, reason: str, now: dt.datetime) -> AdvanceAccount:
    g = acc.guarantee
    if acc.status != AccountStatus.ACTIVE:
        raise InvalidStateError(f"この口座は「{acc.get_status_display()}」のため払出停止にできません。")
    raise_if(check_reason(reason, label="払出停止の理由", limit=REASON_MAX))
    before = account_snapshot(acc)
    acc.status = AccountStatus.STOPPED
    acc.stopped_at = now
    acc.stopped_by = by
    acc.stop_reason = reason.strip()
    acc.save(update_fields=["status", "stopped_at", "stopped_by", "stop_reason", "updated_at"])
    audit_record(
        actor=by,
        action="advance_account.stop",
        obj=acc,
        at=now,
        before=before,
        after={**account_snapshot(acc), "reason": acc.stop_reason},
        surety_id=g.surety_id,
    )
    _account_event(acc, WebhookEvent.ACCOUNT_STOPPED, now, reason=acc.stop_reason, stopped_at=now)
    notify(
        account=acc,
        template="advance_account_stopped",
        context={"reason": acc.stop_reason, "stopped_on": wareki(business_date(now))},
        now=now,
        obj=acc,
        bank=True,
    )
    return acc


@transaction.atomic
def account_resume(*, account: AdvanceAccount, by: User, reason: str, now: dt.datetime) -> AdvanceAccount:
    """払出再開: an approver (承認者・支店長・管理者) lifts the stop, with a reason."""
    acc = lock_account(account)
    g = acc.guarantee
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=None)
    if acc.status != AccountStatus.STOPPED:
        raise InvalidStateError("払出停止中の口座ではありません。")
    raise_if(check_reason(reason, label="払出再開の理由", limit=REASON_MAX))
    before = account_snapshot(acc)
    acc.status = AccountStatus.ACTIVE
    acc.resumed_at = now
    acc.save(update_fields=["status", "resumed_at", "updated_at"])
    audit_record(
        actor=by,
        action="advance_account.resume",
        obj=acc,
        at=now,
        before=before,
        after={**account_snapshot(acc), "reason": reason.strip()},
        surety_id=g.surety_id,
    )
    _account_event(acc, WebhookEvent.ACCOUNT_RESUMED, now, reason=reason.strip(), resumed_at=now)
    notify(
        account=acc,
        template="advance_account_resumed",
        context={"reason": reason.strip(), "resumed_on": wareki(business_date(now))},
        now=now,
        obj=acc,
        bank=True,
    )
    return acc


@transaction.atomic
def account_close(*, account: AdvanceAccount, by: User, reason: str, now: dt.datetime) -> AdvanceAccount:
    """閉鎖 at completion or cancellation: no more withdrawals; what is left is the orderer's to claim back."""
    acc = lock_account(account)
    g = acc.guarantee
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=None)
    if acc.status == AccountStatus.CLOSED:
        raise InvalidStateError("この口座は閉鎖済みです。")
    if acc.withdrawals.filter(status=WithdrawalStatus.REQUESTED).exists():
        raise InvalidStateError("依頼中の払出があります。金融機関が払出または差戻しをしてから閉鎖してください。")
    raise_if(check_reason(reason, label="閉鎖の理由", limit=REASON_MAX))
    left = balance(acc.pk).advance_balance
    before = account_snapshot(acc)
    acc.status = AccountStatus.CLOSED
    acc.closed_at = now
    acc.close_reason = reason.strip()
    acc.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    audit_record(
        actor=by,
        action="advance_account.close",
        obj=acc,
        at=now,
        before=before,
        after={**account_snapshot(acc), "reason": acc.close_reason, "advance_balance": left},
        surety_id=g.surety_id,
    )
    notify(
        account=acc,
        template="advance_account_closed",
        context={"reason": acc.close_reason, "balance": format_yen(left), "closed_on": wareki(business_date(now))},
        now=now,
        obj=acc,
        bank=True,
    )
    return acc
