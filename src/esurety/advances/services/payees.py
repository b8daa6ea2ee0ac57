"""振込先台帳: a contractor's payees, reused in requests (which copy them, so later edits change no request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from esurety.advances.models import Payee
from esurety.advances.rules import PayeeInput, check_payee
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, NotPermitted, RuleViolation
from esurety.parties.models import User


def payee_snapshot(p: Payee) -> dict[str, Any]:
    return {
        "name": p.name,
        "bank": [p.bank_name, p.bank_code],
        "branch": [p.branch_name, p.branch_code],
        "account_type": p.account_type,
        "account_number": p.account_number,
        "holder_kana": p.holder_kana,
        "is_active": p.is_active,
    }


def _require_book_owner(by: User, payee: Payee | None) -> int:
    if by.contractor_id is None or not by.is_active:
        raise NotPermitted("支払先台帳は、保証契約者の利用者のみ使えます。")
    if payee is not None and payee.contractor_id != by.contractor_id:
        raise NotPermitted("他の保証契約者の支払先は操作できません。")
    return by.contractor_id


@transaction.atomic
def payee_save(*, by: User, data: PayeeInput, now: dt.datetime, payee: Payee | None = None) -> Payee:
    """Add a payee to the book (``payee`` None) or correct one. A name alone is a cash payee."""
    contractor_id = _require_book_owner(by, payee)
    data = data.normalized()
    violations = check_payee(data, needs_account=False)
    if violations:
        # The book's form names its fields without the request's "payee_" prefix.
        raise DomainError("入力に誤りがあります。", violations)
    row = (
        Payee.objects.select_for_update().get(pk=payee.pk) if payee is not None else Payee(contractor_id=contractor_id)
    )
    before = payee_snapshot(row) if payee is not None else None
    for field in (
        "name",
        "bank_name",
        "bank_code",
        "branch_name",
        "branch_code",
        "account_type",
        "account_number",
        "holder_kana",
    ):
        setattr(row, field, getattr(data, field))
    row.is_active = True
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        message = "同じ支払先・口座が台帳にあります。"
        raise DomainError(message, [RuleViolation("name", message)]) from None
    audit_record(
        actor=by,
        action="payee.update" if payee is not None else "payee.create",
        obj=row,
        at=now,
        before=before,
        after=payee_snapshot(row),
    )
    return row


@transaction.atomic
def payee_remove(*, by: User, payee: Payee, now: dt.datetime) -> Payee:
    """Take a payee off the book (hidden; requests that copied it keep their copy)."""
    _require_book_owner(by, payee)
    row = Payee.objects.select_for_update().get(pk=payee.pk)
    if not row.is_active:
        return row
    row.is_active = False
    row.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=by, action="payee.remove", obj=row, at=now, before={"is_active": True}, after={"is_active": False}
    )
    return row
