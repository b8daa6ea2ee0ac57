"""Who may perform a write. Reads are scoped in selectors.py."""

from __future__ import annotations

from esurety.core.errors import DomainError
from esurety.parties.models import STAFF_ROLES, Branch, Contractor, Role, SuretyCompany, User


class NotPermitted(DomainError):
    pass


def require_contractor_user(by: User, contractor: Contractor) -> None:
    if by.contractor_id != contractor.pk or not by.is_active:
        raise NotPermitted("この保証契約者の操作は許可されていません。")


def require_staff(by: User, *, surety: SuretyCompany, branch: Branch | None) -> None:
    if by.surety_id != surety.pk or by.role not in STAFF_ROLES or not by.is_active:
        raise NotPermitted("この保証事業会社の職員ではないため操作できません。")
    if by.branch_id is not None and branch is not None and by.branch_id != branch.pk:
        raise NotPermitted("他の取次場所の案件は操作できません。")


APPROVER_ROLES = frozenset({"APPROVER", "BRANCH_MANAGER", "SURETY_ADMIN"})


def require_approver(by: User, *, surety: SuretyCompany, branch: Branch | None, entered_by_id: int | None) -> None:
    require_staff(by, surety=surety, branch=branch)
    if by.role not in APPROVER_ROLES:
        raise NotPermitted("承認の権限がありません（承認者・支店長・管理者のみ）。")
    if entered_by_id is not None and by.pk == entered_by_id:
        # Four eyes: nobody approves what they entered themselves.
        raise NotPermitted("自分が入力した案件は承認できません。別の承認者に依頼してください。")


def require_second_pair_of_eyes(by: User, *, surety: SuretyCompany, branch: Branch | None, checked_by_id: int) -> None:
    """Four eyes on a document a colleague has checked (a use statement): an approver, not the checker."""
    require_approver(by, surety=surety, branch=branch, entered_by_id=None)
    if by.pk == checked_by_id:
        raise NotPermitted("自分が確認した書類は承認できません。別の承認者に依頼してください。")


# Deposit bank users: the organisation's administrator and its members act alike on accounts.
BANK_ROLES = frozenset({Role.ORG_ADMIN, Role.MEMBER})


def is_bank_user_of(user: User, *, bank_id: int, bank_branch_id: int) -> bool:
    """A user of this bank who may act on an account of this branch (a branch user: its branch only)."""
    return (
        user.is_active
        and user.deposit_bank_id == bank_id
        and user.role in BANK_ROLES
        and (user.bank_branch_id is None or user.bank_branch_id == bank_branch_id)
    )


def require_bank_user(by: User, *, bank_id: int, bank_branch_id: int) -> None:
    if by.deposit_bank_id != bank_id or by.role not in BANK_ROLES or not by.is_active:
        raise NotPermitted("この口座を管理する預託金融機関の利用者ではないため操作できません。")
    if by.bank_branch_id is not None and by.bank_branch_id != bank_branch_id:
        raise NotPermitted("他の支店の口座は操作できません。")
