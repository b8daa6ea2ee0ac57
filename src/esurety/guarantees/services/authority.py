"""Who may perform a write. Reads are scoped in selectors.py."""

from __future__ import annotations

from esurety.core.errors import DomainError
from esurety.parties.models import STAFF_ROLES, Branch, Contractor, SuretyCompany, User


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
