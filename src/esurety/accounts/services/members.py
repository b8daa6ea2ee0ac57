"""A company's or an orderer's people: invited by its 管理者 (or, for an orderer's first
管理者, by the surety's staff), removed by its 管理者. A bank's people: bank_users.py."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from esurety.accounts.selectors import orderer_has_admin
from esurety.accounts.services.people import invitee, mail_set_password_link, new_customer_id, user_snapshot
from esurety.audit.changes import audited_change, audited_create
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.parties.models import Orderer, Role, User
from esurety.parties.permissions import can_invite_orderer_users, can_manage_bank_users, can_manage_members


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


@transaction.atomic
def member_invite(*, by: User, email: str, display_name: str, now: dt.datetime) -> User:
    """Add a user (一般利用者) to ``by``'s organisation and e-mail them a link to set a password."""
    if not can_manage_members(by):
        raise NotPermitted("利用者の管理は、企業・団体の管理者のみ行えます。")
    display_name, email = invitee(display_name=display_name, email=email)
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
    display_name, email = invitee(display_name=display_name, email=email)
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
