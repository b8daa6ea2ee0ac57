"""Who may do what: every role set and every check, in one place.

Views ask these functions (to show or hide a button, to answer 404/403), services call
the ``require_*`` forms (which raise ``NotPermitted``), the API goes through the same
services. Reads that decide which rows a user sees stay in each app's selectors, but they
ask ``is_active_staff`` here whether the user is surety staff at all.

This module imports only ``core`` and the parties app itself.
"""

from __future__ import annotations

from typing import Protocol, TypeGuard

from esurety.core.errors import NotPermitted
from esurety.parties.models import Branch, Contractor, DepositBank, Orderer, Role, SuretyCompany, User
from esurety.parties.selectors import orderer_has_admin

# Surety staff, every level.
STAFF_ROLES = frozenset({Role.CLERK, Role.APPROVER, Role.BRANCH_MANAGER, Role.SURETY_ADMIN})
# Who approves applications and amendment requests, cancels, and imports (an import concludes
# guarantees without a second look, so it is an approver's act too).
APPROVER_ROLES = frozenset({Role.APPROVER, Role.BRANCH_MANAGER, Role.SURETY_ADMIN})
# Who keeps the shared orderers' data and invites an orderer's first 管理者.
ORDERER_MANAGER_ROLES = frozenset({Role.SURETY_ADMIN, Role.BRANCH_MANAGER})
# A surety's system acts as a 担当者 or, for the steps only approvers may take, as a 承認者;
# never as a 管理者 (rate tables, tokens and people stay with humans).
SURETY_TOKEN_ROLES = frozenset({Role.CLERK, Role.APPROVER})


def is_active_staff(user: object) -> bool:
    """An active staff member of some surety company (the back office's door)."""
    return isinstance(user, User) and user.is_active and user.surety_id is not None and user.role in STAFF_ROLES


def is_contractor_user(user: object) -> TypeGuard[User]:
    """An active user of some contractor (the contractor portal's door)."""
    return isinstance(user, User) and user.is_active and user.contractor_id is not None


def is_orderer_user(user: object) -> TypeGuard[User]:
    """An active user of some orderer (the verify portal's and the orderer API's door)."""
    return isinstance(user, User) and user.is_active and user.orderer_id is not None


def is_approver(user: User) -> bool:
    return user.role in APPROVER_ROLES


def four_eyes_allows(user: User, *, entered_by_id: int | None) -> bool:
    """The four-eyes rule: nobody approves what they entered themselves."""
    return entered_by_id is None or user.pk != entered_by_id


def can_approve(user: User, *, entered_by_id: int | None) -> bool:
    """An approver other than the person who entered the case (the role and four-eyes rules)."""
    return is_approver(user) and four_eyes_allows(user, entered_by_id=entered_by_id)


def require_approver_or_entrant(
    by: User, *, surety: SuretyCompany, branch: Branch | None, entered_by_id: int | None
) -> None:
    """Turning a case down: an approver rejects it, or the staff member who entered it withdraws it."""
    if entered_by_id is not None and by.pk == entered_by_id:
        require_staff(by, surety=surety, branch=branch)
    else:
        require_approver(by, surety=surety, branch=branch, entered_by_id=None)


def require_contractor_user(by: User, contractor: Contractor) -> None:
    if by.contractor_id != contractor.pk or not by.is_active:
        raise NotPermitted("この保証契約者の操作は許可されていません。")


def require_staff(by: User, *, surety: SuretyCompany, branch: Branch | None) -> None:
    if not is_active_staff(by) or by.surety_id != surety.pk:
        raise NotPermitted("この保証事業会社の職員ではないため操作できません。")
    if by.branch_id is not None and branch is not None and by.branch_id != branch.pk:
        raise NotPermitted("他の取次場所の案件は操作できません。")


def require_approver(by: User, *, surety: SuretyCompany, branch: Branch | None, entered_by_id: int | None) -> None:
    require_staff(by, surety=surety, branch=branch)
    if not is_approver(by):
        raise NotPermitted("承認の権限がありません（承認者・支店長・管理者のみ）。")
    if not four_eyes_allows(by, entered_by_id=entered_by_id):
        raise NotPermitted("自分が入力した案件は承認できません。別の承認者に依頼してください。")


def is_surety_admin(user: User) -> bool:
    """A surety's 管理者: resets colleagues' second factor, verifies the audit chain, adds rates."""
    return is_active_staff(user) and user.role == Role.SURETY_ADMIN


def can_import(user: User) -> bool:
    return is_approver(user)


def require_importer(by: User, surety: SuretyCompany) -> None:
    require_staff(by, surety=surety, branch=None)
    if not can_import(by):
        # An import concludes guarantees without the four-eyes review: approvers only.
        raise NotPermitted("一括取込の権限がありません（承認者・支店長・管理者のみ）。")


def can_manage_rates(user: User) -> bool:
    return is_surety_admin(user)


def can_reset_second_factor(by: User, *, of: User) -> bool:
    """A surety's 管理者 removes a colleague's authenticator (same surety only)."""
    return is_surety_admin(by) and by.surety_id == of.surety_id


def can_manage_orderers(user: User) -> bool:
    """A surety's 管理者・支店長: orderers are shared by every surety, any of them keeps them."""
    return is_active_staff(user) and user.role in ORDERER_MANAGER_ROLES


def require_orderer_manager(by: User) -> None:
    if not can_manage_orderers(by):
        raise NotPermitted("発注者の登録・変更は、管理者・支店長のみ行えます。")


def can_invite_orderer_users(user: User) -> bool:
    return can_manage_orderers(user)


def departments_kept_by_orderer(orderer: Orderer) -> bool:
    """Whether the orderer keeps its departments itself (it has its own active 管理者)."""
    return orderer_has_admin(orderer)


def can_edit_orderer_departments(by: User, orderer: Orderer) -> bool:
    """The orderer's own 管理者; a surety's 管理者・支店長 only while the orderer has no 管理者."""
    if not by.is_active:
        return False
    if by.orderer_id == orderer.pk and by.role == Role.ORG_ADMIN:
        return True
    return can_manage_orderers(by) and not departments_kept_by_orderer(orderer)


def is_org_admin(user: User) -> bool:
    """An active 企業・団体の管理者 (of a contractor, an orderer or a deposit bank)."""
    return user.is_active and user.role == Role.ORG_ADMIN


def webhook_owner_administered_by(user: User) -> SuretyCompany | Orderer | DepositBank | None:
    """The organisation whose webhooks this user administers, or None.

    A surety's or a bank's administrator bound to a branch is refused: the delivery log names
    guarantees (or accounts) of every branch, and branch staff see their own branch only.
    """
    if user.orderer_id is not None and is_org_admin(user):
        return user.orderer
    if is_surety_admin(user) and user.branch_id is None:
        return user.surety
    if user.deposit_bank_id is not None and is_org_admin(user) and user.bank_branch_id is None:
        return user.deposit_bank
    return None


def can_manage_members(user: User) -> bool:
    """企業・団体の管理者 of a contractor or orderer (surety staff are managed in the back office)."""
    return (
        user.is_active
        and user.role == Role.ORG_ADMIN
        and (user.contractor_id is not None or user.orderer_id is not None)
    )


def can_manage_tokens(
    by: User,
    *,
    orderer: Orderer | None = None,
    surety: SuretyCompany | None = None,
    bank: DepositBank | None = None,
) -> bool:
    """A surety's 管理者 for the surety's own tokens; for an orderer's, its own 管理者 or the
    sureties' 管理者・支店長 who keep orderers' data (can_manage_orderers); for a deposit bank's,
    the bank's own 管理者 at its head office (a bank's token reads every branch's requests)."""
    if not by.is_active:
        return False
    if bank is not None:
        return by.deposit_bank_id == bank.pk and can_manage_bank_users(by)
    if surety is not None:
        # Not a 管理者 bound to a branch: a surety's token sees every branch.
        return by.surety_id == surety.pk and by.role == Role.SURETY_ADMIN and by.branch_id is None
    if orderer is not None:
        if by.orderer_id == orderer.pk and by.role == Role.ORG_ADMIN:
            return True
        return can_manage_orderers(by)
    return False


class TokenOwner(Protocol):
    """What can_manage_token reads of an API token (the api app's model, named without importing it)."""

    @property
    def orderer(self) -> Orderer | None: ...
    @property
    def orderer_id(self) -> int | None: ...
    @property
    def surety(self) -> SuretyCompany | None: ...
    @property
    def deposit_bank(self) -> DepositBank | None: ...
    @property
    def created_by(self) -> User | None: ...


def can_manage_token(by: User, token: TokenOwner) -> bool:
    """can_manage_tokens for one token. Surety staff reach only the orderer tokens their own surety's
    staff issued: one surety must not see, or cut, an integration that the orderer or another surety set up."""
    if not can_manage_tokens(by, orderer=token.orderer, surety=token.surety, bank=token.deposit_bank):
        return False
    if token.orderer_id is not None and by.orderer_id != token.orderer_id:
        return token.created_by is not None and token.created_by.surety_id == by.surety_id
    return True


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


def is_active_bank_user(user: object) -> bool:
    """An active user of some deposit bank (the bank portal's door); which accounts it sees is the selectors'."""
    return isinstance(user, User) and user.is_active and user.deposit_bank_id is not None and user.role in BANK_ROLES


def can_manage_bank_users(user: User) -> bool:
    """The bank's own 管理者 at its head office: invites and removes the bank's people (any branch).

    A branch is not an organisation of its own: a 管理者 bound to a branch would see
    only part of the bank's people, so inviting stays with the head office.
    """
    return (
        user.is_active
        and user.deposit_bank_id is not None
        and user.role == Role.ORG_ADMIN
        and user.bank_branch_id is None
    )


def can_manage_banks(user: User) -> bool:
    """A surety's 管理者・支店長 registers deposit banks and their branches and invites a bank's first
    管理者, as for orderers (banks are shared by the sureties that hold a 預託契約 with them)."""
    return can_manage_orderers(user)


def require_bank_manager(by: User) -> None:
    if not can_manage_banks(by):
        raise NotPermitted("預託金融機関の登録・変更は、管理者・支店長のみ行えます。")


# The end of a guarantee (esurety.claims): completion and the orderer's claim.


def is_orderer_user_of(user: User, *, orderer_id: int) -> bool:
    return user.is_active and user.orderer_id == orderer_id


def require_beneficiary_holder(by: User, *, orderer: Orderer, holds_certificate: bool) -> None:
    """The beneficiary orderer's user, whose organisation has received (verified) the certificate:
    only they report completion or claim on it."""
    if not is_orderer_user_of(by, orderer_id=orderer.pk) or not holds_certificate:
        raise NotPermitted("この保証契約の被保証者（発注者）で、電子証書を受領した方のみ行えます。")


def can_decide_claim(user: User, *, assessed_by_id: int | None) -> bool:
    """An approver who did not assess the claim (four eyes)."""
    return is_active_staff(user) and can_approve(user, entered_by_id=assessed_by_id)


def require_claim_decider(by: User, *, surety: SuretyCompany, branch: Branch | None, assessed_by_id: int) -> None:
    require_staff(by, surety=surety, branch=branch)
    if not is_approver(by):
        raise NotPermitted("履行請求の決定の権限がありません（承認者・支店長・管理者のみ）。")
    if not four_eyes_allows(by, entered_by_id=assessed_by_id):
        raise NotPermitted("自分が審査した履行請求は決定できません。別の承認者に依頼してください。")
