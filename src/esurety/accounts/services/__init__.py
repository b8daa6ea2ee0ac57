"""Writes of the accounts app: 利用申込, company users, passwords.

Every function is one atomic step with its audit entry; e-mails go through
the outbox in the same transaction, so a mail exists iff the change committed.
A deposit bank's people: bank_users.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from esurety.accounts.models import UsageApplication, UsageApplicationStatus
from esurety.accounts.selectors import orderer_has_admin
from esurety.audit.changes import audited_change, audited_create
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Contractor, Orderer, Role, SuretyCompany, User
from esurety.parties.permissions import (
    can_invite_orderer_users,
    can_manage_bank_users,
    can_manage_members,
    require_staff,
)

CUSTOMER_ID_DIGITS = 8


# ---------------------------------------------------------------------------
# helpers


def new_customer_id() -> str:
    """A fresh お客様ID: 8 digits, random so that IDs reveal nothing about other customers.

    Generated rather than chosen by the applicant so that a sign-up form
    cannot be used to probe which IDs exist.
    """
    low = 10 ** (CUSTOMER_ID_DIGITS - 1)
    for _ in range(50):
        candidate = str(low + secrets.randbelow(9 * low))
        if not User.objects.filter(username=candidate).exists():
            return candidate
    raise RuntimeError("could not find a free customer ID")  # 1 in 10**-n: the ID space is full


def set_password_path(user: User) -> str:
    """Path of the one-time link to set (or reset) the password of ``user``.

    Django's token hashes the current password and last login, so the link
    stops working once used, and after PASSWORD_RESET_TIMEOUT.
    """
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def link_valid_days() -> int:
    return max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400)


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "contractor_id": user.contractor_id,
        "orderer_id": user.orderer_id,
        "deposit_bank_id": user.deposit_bank_id,
        "bank_branch_id": user.bank_branch_id,
        "is_active": user.is_active,
    }


def _normalize_email(email: str, field: str = "email") -> str:
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "入力に誤りがあります。", [RuleViolation(field, "メールアドレスの形式が正しくありません。")]
        ) from None
    return email


# ---------------------------------------------------------------------------
# passwords


@transaction.atomic
def user_password_set(*, user: User, password: str, now: dt.datetime) -> User:
    """Set a password (first time from an invitation, or after a reset); validated by the form."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="user.password_set", obj=user, at=now, surety_id=user.surety_id)
    return user


def mail_set_password_link(*, user: User, template: str, context: dict[str, Any], now: dt.datetime) -> None:
    """Queue a mail carrying the お客様ID and the one-time link to set a password (reset, 利用開始, invitations)."""
    outbox_enqueue(
        template=template,
        to=[user.email],
        context={
            **context,
            "username": user.username,
            "set_password_path": set_password_path(user),
            "valid_days": link_valid_days(),
        },
        at=now,
        obj=user,
    )


def password_reset_mail_enqueue(*, user: User, now: dt.datetime) -> None:
    """The パスワード再設定 e-mail, with the お客様ID (people forget it as often as the password)."""
    mail_set_password_link(
        user=user,
        template="password_reset",
        context={
            "display_name": user.display_name or user.username,
            "organisation_name": user.organisation_name,
        },
        now=now,
    )


# ---------------------------------------------------------------------------
# 利用申込


@dataclass(frozen=True)
class UsageApplicationInput:
    surety_id: int
    company_name: str
    postal_code: str
    address: str
    tel: str
    representative_title: str
    representative_name: str
    applicant_name: str
    applicant_email: str


def usage_application_snapshot(ua: UsageApplication) -> dict[str, Any]:
    return {
        "status": ua.status,
        "company_name": ua.company_name,
        "applicant_email": ua.applicant_email,
        "contractor_id": ua.contractor_id,
        "first_user_id": ua.first_user_id,
        "reject_reason": ua.reject_reason,
    }


@transaction.atomic
def usage_application_submit(*, data: UsageApplicationInput, now: dt.datetime) -> UsageApplication:
    """A public 利用申込 from the sign-up form; status 受付, waiting for the surety's staff."""
    surety = SuretyCompany.objects.filter(pk=data.surety_id).first()
    if surety is None:
        raise DomainError("入力に誤りがあります。", [RuleViolation("surety", "保証事業会社を選択してください。")])
    email = _normalize_email(data.applicant_email, "applicant_email")
    ua = UsageApplication(
        surety=surety,
        company_name=data.company_name.strip(),
        postal_code=data.postal_code.strip(),
        address=data.address.strip(),
        tel=data.tel.strip(),
        representative_title=data.representative_title.strip(),
        representative_name=data.representative_name.strip(),
        applicant_name=data.applicant_name.strip(),
        applicant_email=email,
        status=UsageApplicationStatus.RECEIVED,
        submitted_at=now,
    )
    return audited_create(
        ua,
        by=None,
        now=now,
        action="usage_application.submit",
        snapshot=usage_application_snapshot,
        surety_id=surety.pk,
    )


def _lock_received(usage_application: UsageApplication, by: User) -> UsageApplication:
    # Lock the row so that two staff deciding at once cannot both act on it.
    ua = UsageApplication.objects.select_for_update().select_related("surety").get(pk=usage_application.pk)
    require_staff(by, surety=ua.surety, branch=None)
    if ua.status != UsageApplicationStatus.RECEIVED:
        raise InvalidStateError(
            f"この利用申込は「{ua.get_status_display()}」のため、この操作はできません（受付の申込のみ）。"
        )
    return ua


@transaction.atomic
def usage_application_approve(*, usage_application: UsageApplication, by: User, now: dt.datetime) -> UsageApplication:
    """Register the company and its first user (企業の管理者) and send the 利用開始通知."""
    ua = _lock_received(usage_application, by)
    contractor = Contractor.objects.create(
        name=ua.company_name,
        postal_code=ua.postal_code,
        address=ua.address,
        representative_title=ua.representative_title,
        representative_name=ua.representative_name,
    )
    user = User(
        username=new_customer_id(),
        email=ua.applicant_email,
        display_name=ua.applicant_name,
        contractor=contractor,
        role=Role.ORG_ADMIN,
    )
    # No password until the user sets one through the link in the mail.
    user.set_unusable_password()
    user.save()
    audited_change(
        ua,
        by=by,
        now=now,
        action="usage_application.approve",
        changes={
            "status": UsageApplicationStatus.APPROVED,
            "decided_at": now,
            "decided_by": by,
            "contractor": contractor,
            "first_user": user,
        },
        snapshot=usage_application_snapshot,
        surety_id=ua.surety_id,
    )
    audited_create(user, by=by, now=now, action="user.create", snapshot=user_snapshot, surety_id=ua.surety_id)
    mail_set_password_link(
        user=user,
        template="usage_started",
        context={
            "company_name": contractor.name,
            "display_name": user.display_name,
            "surety_name": ua.surety.name,
        },
        now=now,
    )
    return ua


@transaction.atomic
def usage_application_reject(
    *, usage_application: UsageApplication, by: User, reason: str, now: dt.datetime
) -> UsageApplication:
    """Decline a 利用申込; the applicant is told why by e-mail."""
    reason = reason.strip()
    if not reason:
        raise DomainError("入力に誤りがあります。", [RuleViolation("reason", "否決の理由を入力してください。")])
    ua = _lock_received(usage_application, by)
    audited_change(
        ua,
        by=by,
        now=now,
        action="usage_application.reject",
        changes={
            "status": UsageApplicationStatus.REJECTED,
            "decided_at": now,
            "decided_by": by,
            "reject_reason": reason,
        },
        snapshot=usage_application_snapshot,
        surety_id=ua.surety_id,
    )
    outbox_enqueue(
        template="usage_rejected",
        to=[ua.applicant_email],
        context={
            "company_name": ua.company_name,
            "applicant_name": ua.applicant_name,
            "surety_name": ua.surety.name,
            "reason": reason,
        },
        at=now,
        obj=ua,
    )
    return ua


# ---------------------------------------------------------------------------
# company users (contractor, orderer or deposit bank organisations)


def same_organisation(a: User, b: User) -> bool:
    if a.contractor_id is not None:
        return a.contractor_id == b.contractor_id
    if a.orderer_id is not None:
        return a.orderer_id == b.orderer_id
    if a.deposit_bank_id is not None:
        return a.deposit_bank_id == b.deposit_bank_id
    return False


def _require_member_admin(by: User) -> None:
    if not (can_manage_members(by) or can_manage_bank_users(by)):
        raise NotPermitted("利用者の管理は、企業・団体の管理者のみ行えます。")


def _invitee(*, display_name: str, email: str) -> tuple[str, str]:
    """The invited person's name and address, checked and normalised (both invitations use it)."""
    violations: list[RuleViolation] = []
    display_name = display_name.strip()
    if not display_name:
        violations.append(RuleViolation("display_name", "氏名を入力してください。"))
    elif len(display_name) > 100:
        violations.append(RuleViolation("display_name", "氏名は100文字以内で入力してください。"))
    try:
        email = _normalize_email(email)
    except DomainError as exc:
        violations.extend(exc.violations)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    return display_name, email


@transaction.atomic
def member_invite(*, by: User, email: str, display_name: str, now: dt.datetime) -> User:
    """Add a user (一般利用者) to ``by``'s organisation and e-mail them a link to set a password."""
    if not can_manage_members(by):
        raise NotPermitted("利用者の管理は、企業・団体の管理者のみ行えます。")
    display_name, email = _invitee(display_name=display_name, email=email)
    colleagues = User.objects.filter(is_active=True).filter(
        Q(contractor_id=by.contractor_id) if by.contractor_id is not None else Q(orderer_id=by.orderer_id)
    )
    if colleagues.filter(email__iexact=email).exists():
        raise DomainError(
            "入力に誤りがあります。",
            [RuleViolation("email", "このメールアドレスの利用者は既に登録されています。")],
        )
    user = User(
        username=new_customer_id(),
        email=email,
        display_name=display_name,
        contractor_id=by.contractor_id,
        orderer_id=by.orderer_id,
        role=Role.MEMBER,
    )
    user.set_unusable_password()
    audited_create(user, by=by, now=now, action="user.invite", snapshot=user_snapshot, surety_id=None)
    mail_set_password_link(
        user=user,
        template="member_invited",
        context={
            "organisation_name": user.organisation_name,
            "display_name": user.display_name,
            "inviter_name": by.display_name or by.username,
        },
        now=now,
    )
    return user


@transaction.atomic
def member_remove(*, by: User, user: User, now: dt.datetime) -> User:
    """Deactivate a user of ``by``'s organisation: they cannot log in, and open sessions end at once."""
    _require_member_admin(by)
    target = User.objects.select_for_update().get(pk=user.pk)
    if not same_organisation(by, target):
        raise NotPermitted("他の企業・団体の利用者は操作できません。")
    if target.pk == by.pk:
        raise DomainError("ご自身を削除することはできません。")
    if not target.is_active:
        raise InvalidStateError("この利用者は既に削除されています。")
    audited_change(
        target,
        by=by,
        now=now,
        action="user.remove",
        changes={"is_active": False},
        snapshot=user_snapshot,
        surety_id=None,
    )
    return target


# ---------------------------------------------------------------------------
# orderer users invited by the surety's staff


@transaction.atomic
def orderer_user_invite(*, by: User, orderer: Orderer, email: str, display_name: str, now: dt.datetime) -> User:
    """Register the first 管理者 (ORG_ADMIN) of an orderer and e-mail them a link to set a password.

    Only while the orderer has no active administrator: after that, the orderer
    manages its own users (member_invite), and the surety cannot add people to it.
    """
    if not can_invite_orderer_users(by):
        raise NotPermitted("発注者の利用者の招待は、管理者・支店長のみ行えます。")
    target = Orderer.objects.select_for_update().get(pk=orderer.pk)
    if orderer_has_admin(target):
        raise InvalidStateError(
            f"{target.name}には既に管理者がいます。追加の利用者は発注者の管理者が「利用者の管理」から招待してください。"
        )
    display_name, email = _invitee(display_name=display_name, email=email)
    user = User(
        username=new_customer_id(),
        email=email,
        display_name=display_name,
        orderer=target,
        role=Role.ORG_ADMIN,
    )
    user.set_unusable_password()
    audited_create(user, by=by, now=now, action="user.invite", snapshot=user_snapshot, surety_id=by.surety_id)
    mail_set_password_link(
        user=user,
        template="orderer_user_invited",
        context={
            "organisation_name": target.name,
            "display_name": user.display_name,
            "surety_name": by.surety.name if by.surety else "",
        },
        now=now,
    )
    return user
