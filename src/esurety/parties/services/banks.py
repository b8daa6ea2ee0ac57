"""Writes of the parties app: deposit banks (預託金融機関), their branches and the sureties' 預託契約.

A bank is shared by every surety that holds a 預託契約 with it (one 〇〇銀行 for
all), as orderers are; a surety's 管理者・支店長 registers it with its first
contract, adds branches, and adds its own company's contract to a bank another
surety registered. Each change is one audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.text import text_error
from esurety.parties.models import DepositBank, DepositBankBranch, SuretyBankContract, SuretyCompany, User
from esurety.parties.permissions import require_bank_manager

NAME_MAX = 100
_BANK_CODE = re.compile(r"[0-9]{4}")
_BRANCH_CODE = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class BankInput:
    name: str
    code: str


def _fold(value: str) -> str:
    # 全角の「０００１」 and stray spaces, as people copy codes from the 金融機関コード一覧.
    return unicodedata.normalize("NFKC", value).strip()


def _check_name(name: str, label: str) -> list[RuleViolation]:
    if not name:
        return [RuleViolation("name", f"{label}を入力してください。")]
    if len(name) > NAME_MAX:
        return [RuleViolation("name", f"{label}は{NAME_MAX}文字以内で入力してください。")]
    problem = text_error(name)
    return [RuleViolation("name", problem)] if problem else []


def _surety_of(by: User) -> SuretyCompany:
    # require_bank_manager admitted only a surety's staff.
    assert by.surety is not None
    return by.surety


def bank_snapshot(bank: DepositBank) -> dict[str, Any]:
    return {
        "name": bank.name,
        "code": bank.code,
        "branches": [[b.code, b.name] for b in bank.branches.order_by("code")],
        "contracts": [
            [c.surety_id, c.effective_from.isoformat(), c.effective_until.isoformat() if c.effective_until else None]
            for c in bank.surety_contracts.order_by("surety_id", "effective_from")
        ],
    }


@transaction.atomic
def deposit_bank_create(*, by: User, data: BankInput, contract_from: dt.date, now: dt.datetime) -> DepositBank:
    """Register a bank with the acting surety's 預託契約 from ``contract_from``."""
    require_bank_manager(by)
    name, code = _fold(data.name), _fold(data.code)
    violations = _check_name(name, "金融機関名")
    if not _BANK_CODE.fullmatch(code):
        violations.append(RuleViolation("code", "金融機関コードは4桁の数字で入力してください（例: 0001）。"))
    if not violations:
        if DepositBank.objects.filter(name=name).exists():
            violations.append(RuleViolation("name", "同じ名称の預託金融機関が既に登録されています。"))
        if DepositBank.objects.filter(code=code).exists():
            violations.append(RuleViolation("code", "この金融機関コードの預託金融機関は既に登録されています。"))
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    bank = DepositBank.objects.create(name=name, code=code)
    SuretyBankContract.objects.create(surety=_surety_of(by), bank=bank, effective_from=contract_from)
    audit_record(
        actor=by, action="deposit_bank.create", obj=bank, at=now, after=bank_snapshot(bank), surety_id=by.surety_id
    )
    return bank


@transaction.atomic
def deposit_bank_contract_add(*, by: User, bank: DepositBank, effective_from: dt.date, now: dt.datetime) -> DepositBank:
    """The acting surety's own 預託契約 with a bank already registered (by another surety, say)."""
    require_bank_manager(by)
    target = DepositBank.objects.select_for_update().get(pk=bank.pk)
    if SuretyBankContract.objects.filter(surety_id=by.surety_id, bank=target, effective_until__isnull=True).exists():
        raise InvalidStateError(f"{target.name}とは既に預託契約があります。")
    before = bank_snapshot(target)
    SuretyBankContract.objects.create(surety=_surety_of(by), bank=target, effective_from=effective_from)
    audit_record(
        actor=by,
        action="deposit_bank.contract_add",
        obj=target,
        at=now,
        before=before,
        after=bank_snapshot(target),
        surety_id=by.surety_id,
    )
    return target


@transaction.atomic
def deposit_bank_branch_add(
    *, by: User, bank: DepositBank, name: str, code: str, now: dt.datetime
) -> DepositBankBranch:
    """A branch (▲▲支店) where advance accounts may be opened."""
    require_bank_manager(by)
    # The bank row is locked so that two people adding the same code at once get a message, not an error.
    target = DepositBank.objects.select_for_update().get(pk=bank.pk)
    name, code = _fold(name), _fold(code)
    violations = _check_name(name, "支店名")
    if not _BRANCH_CODE.fullmatch(code):
        violations.append(RuleViolation("code", "支店コードは3桁の数字で入力してください（例: 101）。"))
    if not violations:
        if target.branches.filter(name=name).exists():
            violations.append(RuleViolation("name", f"{target.name}に同じ名称の支店が既にあります。"))
        if target.branches.filter(code=code).exists():
            violations.append(RuleViolation("code", f"{target.name}にこの支店コードの支店が既にあります。"))
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    before = bank_snapshot(target)
    branch = DepositBankBranch.objects.create(bank=target, name=name, code=code)
    audit_record(
        actor=by,
        action="deposit_bank.branch_add",
        obj=target,
        at=now,
        before=before,
        after=bank_snapshot(target),
        surety_id=by.surety_id,
    )
    return branch
