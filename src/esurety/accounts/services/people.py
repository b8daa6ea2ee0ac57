"""Who a user is and how they get in: the お客様ID, the set-password link and its mail,
the checks on an invited person's name and address, and setting a password.

Shared by every way a person enters (利用申込, invitations by members, by the surety, by a bank).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, RuleViolation
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import User

CUSTOMER_ID_DIGITS = 8


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


def normalize_email(email: str, field: str = "email") -> str:
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "入力に誤りがあります。", [RuleViolation(field, "メールアドレスの形式が正しくありません。")]
        ) from None
    return email


def invitee(*, display_name: str, email: str) -> tuple[str, str]:
    """The invited person's name and address, checked and normalised (both invitations use it)."""
    violations: list[RuleViolation] = []
    display_name = display_name.strip()
    if not display_name:
        violations.append(RuleViolation("display_name", "氏名を入力してください。"))
    elif len(display_name) > 100:
        violations.append(RuleViolation("display_name", "氏名は100文字以内で入力してください。"))
    try:
        email = normalize_email(email)
    except DomainError as exc:
        violations.extend(exc.violations)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    return display_name, email


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
