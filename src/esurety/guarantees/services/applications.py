"""保証申込: draft → 受付 → 審査中 → 承認 / 否決 → 入金確認 (then issuance.py concludes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from esurety.core.clock import business_date
from esurety.core.dates import business_date_error
from esurety.core.errors import DomainError, NotPermitted, RuleViolation
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.core.normalize import normalize_guarantee_number
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.guarantees.premiums import premium_quote
from esurety.guarantees.rules import date_violations, text_violations
from esurety.guarantees.services.steps import (
    application_snapshot,
    audited_change,
    audited_create,
    lock_application,
    require_application_status,
    require_application_valid,
)
from esurety.parties.models import Branch, Contractor, Orderer, User
from esurety.parties.permissions import (
    require_approver,
    require_contractor_user,
    require_staff,
)


@dataclass(frozen=True)
class ApplicationInput:
    branch_id: int
    orderer_id: int
    kind: str
    work_category: str
    work_name: str
    contract_date: dt.date
    completion_date: dt.date
    contract_price: int
    guaranteed_amount: int
    delivery_method: str
    contract_price_consideration: int | None = None
    low_bid: bool = False
    deposit_bank: str = ""
    notes: str = ""
    advance_guarantee_number: str = ""


def _check_choices(data: ApplicationInput) -> None:
    # Callers other than a form (API, imports) may pass any string; an unknown code would
    # otherwise crash the rules at submission instead of naming the field.
    violations: list[RuleViolation] = []
    if data.kind not in GuaranteeKind.values:
        violations.append(RuleViolation("kind", "区分（前払・中間前払・契約・契約保証予約）を選択してください。"))
    if data.work_category not in WorkCategory.values:
        violations.append(RuleViolation("work_category", "業務区分（工事・建設コンサルタント業務）を選んでください。"))
    if data.delivery_method not in DeliveryMethod.values:
        violations.append(RuleViolation("delivery_method", "保証証書の受取方法（電子交付・書面）を選択してください。"))
    # Even a draft must fit its columns (PostgreSQL refuses longer text), hold no control
    # characters and carry dates its pages can print: a draft that breaks the amount rules
    # can be corrected, one dated 1800-01-01 could not even be opened.
    violations += text_violations(work_name=data.work_name, deposit_bank=data.deposit_bank, notes=data.notes)
    violations += date_violations(contract_date=data.contract_date, completion_date=data.completion_date)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)


def _apply_input(app: Application, data: ApplicationInput) -> None:
    _check_choices(data)
    try:
        branch = Branch.objects.select_related("surety").get(pk=data.branch_id)
    except Branch.DoesNotExist:
        raise DomainError("入力に誤りがあります。", [RuleViolation("branch", "取次場所を選択してください。")]) from None
    try:
        orderer = Orderer.objects.get(pk=data.orderer_id)
    except Orderer.DoesNotExist:
        raise DomainError("入力に誤りがあります。", [RuleViolation("orderer", "発注者を選択してください。")]) from None
    advance = None
    if data.advance_guarantee_number.strip():
        number = normalize_guarantee_number(data.advance_guarantee_number)
        advance = Guarantee.objects.filter(number=number, contractor=app.contractor).first()
        if advance is None:
            raise DomainError(
                "入力に誤りがあります。",
                [RuleViolation("advance_guarantee", f"保証契約番号 {number} の前払金保証が見つかりません。")],
            )
    values = asdict(data)
    for name in ("branch_id", "orderer_id", "advance_guarantee_number"):
        values.pop(name)
    for name, value in values.items():
        setattr(app, name, value)
    app.branch = branch
    app.surety = branch.surety
    app.orderer = orderer
    app.advance_guarantee = advance


def _save_input(app: Application, data: ApplicationInput) -> None:
    _apply_input(app, data)
    app.save()


@transaction.atomic
def application_create(*, by: User, data: ApplicationInput, now: dt.datetime) -> Application:
    """Save a new draft (下書き). Rules are checked at submission, not on drafts."""
    if by.contractor is None:
        raise DomainError("保証契約者の利用者のみ申込できます。")
    app = Application(contractor=by.contractor, created_by=by, status=ApplicationStatus.DRAFT)
    require_contractor_user(by, app.contractor)
    _apply_input(app, data)
    return audited_create(
        app, by=by, now=now, action="application.create", snapshot=application_snapshot, surety_id=app.surety_id
    )


@transaction.atomic
def application_enter(*, by: User, contractor: Contractor, data: ApplicationInput, now: dt.datetime) -> Application:
    """An application the surety received outside the portal (its core system, over the API),
    entered by its staff straight into 受付 once every rule holds.

    ``by`` is recorded as the one who entered it, so four eyes apply as usual:
    someone else must approve it.
    """
    if by.surety is None:
        raise NotPermitted("保証事業会社の職員のみ入力できます。")
    require_staff(by, surety=by.surety, branch=None)
    app = Application(contractor=contractor, created_by=by, status=ApplicationStatus.DRAFT)
    _apply_input(app, data)
    if by.surety_id != app.surety_id:
        # Another surety's branch answers like an unknown one: its existence is not told.
        raise DomainError("入力に誤りがあります。", [RuleViolation("branch", "取次場所を選択してください。")])
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_valid(app)
    app.status = ApplicationStatus.SUBMITTED
    app.submitted_at = now
    return audited_create(
        app,
        by=by,
        now=now,
        action="application.submit",
        snapshot=application_snapshot,
        surety_id=app.surety_id,
        after_extra={"entered_by_staff": True},
    )


@transaction.atomic
def application_update_draft(
    *, application: Application, by: User, data: ApplicationInput, now: dt.datetime
) -> Application:
    app = lock_application(application)
    require_contractor_user(by, app.contractor)
    require_application_status(app, ApplicationStatus.DRAFT)
    return audited_change(
        app,
        by=by,
        now=now,
        action="application.update",
        edit=lambda a: _save_input(a, data),
        snapshot=application_snapshot,
        surety_id=app.surety_id,
    )


def _move(
    app: Application,
    *,
    by: User,
    now: dt.datetime,
    action: str,
    after_extra: dict[str, Any] | None = None,
    **changes: Any,
) -> Application:
    """One step of an application, locked and checked by the caller: the new fields and their audit entry."""
    return audited_change(
        app,
        by=by,
        now=now,
        action=action,
        changes=changes,
        snapshot=application_snapshot,
        surety_id=app.surety_id,
        after_extra=after_extra,
    )


@transaction.atomic
def application_submit(*, application: Application, by: User, now: dt.datetime) -> Application:
    """下書き → 受付, once every rule holds."""
    app = lock_application(application)
    require_contractor_user(by, app.contractor)
    require_application_status(app, ApplicationStatus.DRAFT)
    require_application_valid(app)
    return _move(app, by=by, now=now, action="application.submit", status=ApplicationStatus.SUBMITTED, submitted_at=now)


@transaction.atomic
def application_start_review(*, application: Application, by: User, now: dt.datetime) -> Application:
    app = lock_application(application)
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_status(app, ApplicationStatus.SUBMITTED)
    return _move(
        app, by=by, now=now, action="application.start_review", status=ApplicationStatus.UNDER_REVIEW, reviewed_by=by
    )


@transaction.atomic
def application_approve(*, application: Application, by: User, now: dt.datetime) -> Application:
    """審査中 → 承認: the rules are checked again and the premium is fixed."""
    app = lock_application(application)
    require_approver(by, surety=app.surety, branch=app.branch, entered_by_id=app.created_by_id)
    require_application_status(app, ApplicationStatus.UNDER_REVIEW)
    require_application_valid(app)
    quote = premium_quote(
        surety=app.surety,
        kind=app.kind,
        guaranteed_amount=app.guaranteed_amount,
        start=app.contract_date,
        end=app.completion_date,
    )
    return _move(
        app,
        by=by,
        now=now,
        action="application.approve",
        status=ApplicationStatus.APPROVED,
        premium=quote.amount,
        decided_at=now,
    )


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str, now: dt.datetime) -> Application:
    """受付 / 審査中 → 否決, with a reason the contractor sees."""
    app = lock_application(application)
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_status(app, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
    if not reason.strip():
        raise DomainError("否決理由を入力してください。", [RuleViolation("reason", "否決理由を入力してください。")])
    return _move(
        app,
        by=by,
        now=now,
        action="application.reject",
        after_extra={"reason": reason.strip()},
        status=ApplicationStatus.REJECTED,
        rejection_reason=reason.strip(),
        decided_at=now,
    )


@transaction.atomic
def application_confirm_payment(
    *, application: Application, by: User, received_on: dt.date, now: dt.datetime
) -> Application:
    """承認 → 入金確認: the premium has been received."""
    app = lock_application(application)
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_status(app, ApplicationStatus.APPROVED)
    message = business_date_error(received_on, label="入金日")
    if message is None and received_on > business_date(now):
        message = f"入金日（{format_wareki(received_on, padded=False)}）が未来の日付です。"
    if message is not None:
        raise DomainError("入金日に誤りがあります。", [RuleViolation("received_on", message)])
    return _move(
        app,
        by=by,
        now=now,
        action="application.confirm_payment",
        after_extra={"payment_received_on": received_on.isoformat()},
        status=ApplicationStatus.PAYMENT_CONFIRMED,
        payment_received_on=received_on,
    )
