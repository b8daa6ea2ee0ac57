"""A deposit bank's people: its first 管理者 invited by a surety, its members by that 管理者.

The same login, password link, lockout and idle rules as every other user; a
member works for the whole bank (head office) or for one branch, and then sees
that branch's accounts only (advances.selectors). Removal is member_remove.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.accounts.services.people import invitee, mail_set_password_link, new_customer_id, user_snapshot
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.parties.models import DepositBank, DepositBankBranch, Role, User
from esurety.parties.permissions import can_manage_bank_users, can_manage_banks
from esurety.parties.selectors import bank_has_admin, surety_has_bank_contract


def _new_bank_user(
    *, bank: DepositBank, branch: DepositBankBranch | None, role: str, email: str, display_name: str
) -> User:
    user = User(
        username=new_customer_id(),
        email=email,
        display_name=display_name,
        deposit_bank=bank,
        bank_branch=branch,
        role=role,
    )
    # No password until the person sets one through the link in the mail.
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def bank_admin_invite(*, by: User, bank: DepositBank, email: str, display_name: str, now: dt.datetime) -> User:
    """Register the first 管理者 of a bank (head office) and e-mail a link to set a password.

    By a surety's 管理者・支店長 whose company holds a 預託契約 with the bank, and only while the
    bank has no active 管理者: after that the bank invites its own people.
    """
    if not can_manage_banks(by):
        raise NotPermitted("預託金融機関の利用者の招待は、管理者・支店長のみ行えます。")
    target = DepositBank.objects.select_for_update().get(pk=bank.pk)
    if not surety_has_bank_contract(surety_id=by.surety_id, bank=target):
        raise NotPermitted(f"{target.name}とは預託契約がないため、利用者を招待できません。")
    if bank_has_admin(target):
        raise InvalidStateError(
            f"{target.name}には既に管理者がいます。追加の利用者は金融機関の管理者が「利用者の管理」から招待してください。"
        )
    display_name, email = invitee(display_name=display_name, email=email)
    user = _new_bank_user(bank=target, branch=None, role=Role.ORG_ADMIN, email=email, display_name=display_name)
    audit_record(actor=by, action="user.invite", obj=user, at=now, after=user_snapshot(user), surety_id=by.surety_id)
    mail_set_password_link(
        user=user,
        template="bank_user_invited",
        context={
            "organisation_name": target.name,
            "display_name": user.display_name,
            "inviter_name": by.surety.name if by.surety else "",
            "is_admin": True,
            "branch_name": "",
        },
        now=now,
    )
    return user


@transaction.atomic
def bank_member_invite(
    *, by: User, email: str, display_name: str, bank_branch_id: int | None, now: dt.datetime
) -> User:
    """Add a member (一般利用者) to the 管理者's bank, at one branch or the head office (None)."""
    if not can_manage_bank_users(by):
        raise NotPermitted("利用者の管理は、金融機関の管理者のみ行えます。")
    violations: list[RuleViolation] = []
    branch: DepositBankBranch | None = None
    if bank_branch_id is not None:
        # The model cannot check that the branch is the bank's own: it is checked here.
        branch = DepositBankBranch.objects.filter(pk=bank_branch_id, bank_id=by.deposit_bank_id).first()
        if branch is None:
            violations.append(RuleViolation("bank_branch", "所属する支店を一覧から選んでください。"))
    try:
        display_name, email = invitee(display_name=display_name, email=email)
    except DomainError as exc:
        violations = exc.violations + violations
    if (
        not violations
        and User.objects.filter(deposit_bank_id=by.deposit_bank_id, is_active=True, email__iexact=email).exists()
    ):
        violations.append(RuleViolation("email", "このメールアドレスの利用者は既に登録されています。"))
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    bank = by.deposit_bank
    assert bank is not None  # can_manage_bank_users admitted only a bank's user
    user = _new_bank_user(bank=bank, branch=branch, role=Role.MEMBER, email=email, display_name=display_name)
    audit_record(actor=by, action="user.invite", obj=user, at=now, after=user_snapshot(user))
    mail_set_password_link(
        user=user,
        template="bank_user_invited",
        context={
            "organisation_name": bank.name,
            "display_name": user.display_name,
            "inviter_name": by.display_name or by.username,
            "is_admin": False,
            "branch_name": branch.name if branch else "",
        },
        now=now,
    )
    return user
