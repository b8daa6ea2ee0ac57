"""parties.permissions: every role against every check, and the four-eyes rule.

The users are built in memory (no database): the checks read the user's role,
organisation and active flag only, except where an orderer's own 管理者 matters.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from esurety.core.errors import NotPermitted
from esurety.parties.models import Branch, Contractor, DepositBank, Orderer, Role, SuretyCompany, User
from esurety.parties.permissions import (
    can_approve,
    can_import,
    can_invite_orderer_users,
    can_manage_bank_users,
    can_manage_banks,
    can_manage_members,
    can_manage_orderers,
    can_manage_rates,
    can_manage_token,
    can_manage_tokens,
    can_reset_second_factor,
    four_eyes_allows,
    is_active_bank_user,
    is_active_staff,
    is_approver,
    is_contractor_user,
    is_orderer_user,
    is_org_admin,
    is_surety_admin,
    require_approver,
    require_approver_or_entrant,
    require_contractor_user,
    require_importer,
    require_orderer_manager,
    require_staff,
    webhook_owner_administered_by,
)

SURETY = SuretyCompany(pk=1, name="保証A")
OTHER_SURETY = SuretyCompany(pk=2, name="保証B")
ORDERER = Orderer(pk=1, name="発注者A")
CONTRACTOR = Contractor(pk=1, name="建設A")


def person(who: str, *, active: bool = True, pk: int = 10) -> User:
    kind, _, role = who.partition(":")
    user = User(pk=pk, username=who, role=Role(role), is_active=active)
    if kind == "surety":
        user.surety_id = SURETY.pk
    elif kind == "contractor":
        user.contractor_id = CONTRACTOR.pk
    else:
        user.orderer_id = ORDERER.pk
    return user


PEOPLE = [
    "surety:CLERK",
    "surety:APPROVER",
    "surety:BRANCH_MANAGER",
    "surety:SURETY_ADMIN",
    "contractor:ORG_ADMIN",
    "contractor:MEMBER",
    "orderer:ORG_ADMIN",
    "orderer:MEMBER",
]

CHECKS: dict[str, Callable[[User], bool]] = {
    "is_active_staff": is_active_staff,
    "is_approver": is_approver,
    "is_surety_admin": is_surety_admin,
    "can_import": can_import,
    "can_manage_rates": can_manage_rates,
    "can_manage_orderers": can_manage_orderers,
    "can_invite_orderer_users": can_invite_orderer_users,
    "can_manage_members": can_manage_members,
    "surety_tokens": lambda u: can_manage_tokens(u, surety=SURETY),
    "orderer_tokens": lambda u: can_manage_tokens(u, orderer=ORDERER),
}

# One row per person, one column per check (same order as CHECKS).
TABLE = {
    #                         staff  apprv  admin  imprt  rates  ordrs  invit  membr  s-tok  o-tok
    "surety:CLERK":          (True , False, False, False, False, False, False, False, False, False),
    "surety:APPROVER":       (True , True , False, True , False, False, False, False, False, False),
    "surety:BRANCH_MANAGER": (True , True , False, True , False, True , True , False, False, True),
    "surety:SURETY_ADMIN":   (True , True , True , True , True , True , True , False, True , True),
    "contractor:ORG_ADMIN":  (False, False, False, False, False, False, False, True , False, False),
    "contractor:MEMBER":     (False, False, False, False, False, False, False, False, False, False),
    "orderer:ORG_ADMIN":     (False, False, False, False, False, False, False, True , False, True),
    "orderer:MEMBER":        (False, False, False, False, False, False, False, False, False, False),
}  # fmt: skip


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("check", list(CHECKS))
def test_role_table(who: str, check: str) -> None:
    expected = TABLE[who][list(CHECKS).index(check)]
    assert CHECKS[check](person(who)) is expected


# A deactivated person keeps their role, but every check that grants access says no
# (is_approver/can_import name the role only; the door, is_active_staff, is checked first).
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(
    "check",
    [
        "is_active_staff",
        "is_surety_admin",
        "can_manage_rates",
        "can_manage_orderers",
        "can_invite_orderer_users",
        "can_manage_members",
        "surety_tokens",
        "orderer_tokens",
    ],
)
def test_deactivated_people_may_do_nothing(who: str, check: str) -> None:
    assert CHECKS[check](person(who, active=False)) is False


def test_is_active_staff_refuses_what_is_not_a_user() -> None:
    assert is_active_staff(None) is False
    assert is_active_staff(object()) is False


def test_a_surety_admin_bound_to_a_branch_does_not_manage_the_suretys_tokens() -> None:
    admin = person("surety:SURETY_ADMIN")
    admin.branch_id = 5
    assert can_manage_tokens(admin, surety=SURETY) is False
    assert can_manage_tokens(person("surety:SURETY_ADMIN"), surety=OTHER_SURETY) is False


def test_an_orderer_admin_manages_only_their_own_orderers_tokens() -> None:
    assert can_manage_tokens(person("orderer:ORG_ADMIN"), orderer=Orderer(pk=2, name="発注者B")) is False
    assert can_manage_tokens(person("orderer:ORG_ADMIN")) is False


def test_surety_staff_reach_only_orderer_tokens_their_own_surety_issued() -> None:
    class Token:
        def __init__(self, created_by: User | None) -> None:
            self.orderer, self.orderer_id, self.surety, self.created_by = ORDERER, ORDERER.pk, None, created_by
            self.deposit_bank = None

    ours = person("surety:CLERK", pk=20)
    theirs = User(pk=21, username="b", role=Role.CLERK, surety_id=OTHER_SURETY.pk)
    manager = person("surety:BRANCH_MANAGER")
    assert can_manage_token(manager, Token(ours)) is True
    assert can_manage_token(manager, Token(theirs)) is False
    assert can_manage_token(manager, Token(None)) is False
    # The orderer's own 管理者 reaches every token of the orderer, whoever issued it.
    assert can_manage_token(person("orderer:ORG_ADMIN"), Token(theirs)) is True


def test_a_banks_tokens_are_its_head_office_administrators() -> None:
    bank, other = DepositBank(pk=1, name="〇〇銀行", code="0123"), DepositBank(pk=2, name="△△信用金庫", code="1999")
    admin = User(pk=30, username="erin", role=Role.ORG_ADMIN, deposit_bank_id=bank.pk)
    branch_admin = User(pk=31, username="judy", role=Role.ORG_ADMIN, deposit_bank_id=bank.pk, bank_branch_id=5)
    member = User(pk=32, username="dave", role=Role.MEMBER, deposit_bank_id=bank.pk)
    assert can_manage_tokens(admin, bank=bank) is True
    assert can_manage_tokens(admin, bank=other) is False
    assert can_manage_tokens(branch_admin, bank=bank) is False
    assert can_manage_tokens(member, bank=bank) is False
    assert can_manage_tokens(person("surety:SURETY_ADMIN"), bank=bank) is False
    assert can_manage_bank_users(admin) and not can_manage_bank_users(branch_admin)
    assert not can_manage_bank_users(member) and not can_manage_bank_users(person("orderer:ORG_ADMIN"))
    assert is_active_bank_user(member) and not is_active_bank_user(person("surety:SURETY_ADMIN"))
    assert can_manage_banks(person("surety:BRANCH_MANAGER")) and not can_manage_banks(person("surety:APPROVER"))
    assert not can_manage_banks(admin)


# -- the four-eyes rule --------------------------------------------------------------------------


def test_four_eyes_nobody_approves_what_they_entered() -> None:
    approver = person("surety:APPROVER", pk=7)
    assert four_eyes_allows(approver, entered_by_id=7) is False
    assert four_eyes_allows(approver, entered_by_id=8) is True
    # Nobody recorded as the entrant (an API or import path): the rule has nothing to compare.
    assert four_eyes_allows(approver, entered_by_id=None) is True
    assert can_approve(approver, entered_by_id=7) is False
    assert can_approve(approver, entered_by_id=8) is True
    assert can_approve(person("surety:CLERK", pk=7), entered_by_id=8) is False


def test_require_approver_says_why() -> None:
    approver = person("surety:APPROVER", pk=7)
    require_approver(approver, surety=SURETY, branch=None, entered_by_id=8)
    with pytest.raises(NotPermitted, match="自分が入力した案件は承認できません"):
        require_approver(approver, surety=SURETY, branch=None, entered_by_id=7)
    with pytest.raises(NotPermitted, match="承認の権限がありません"):
        require_approver(person("surety:CLERK"), surety=SURETY, branch=None, entered_by_id=None)
    with pytest.raises(NotPermitted, match="職員ではない"):
        require_approver(approver, surety=OTHER_SURETY, branch=None, entered_by_id=8)


def test_require_staff_keeps_branch_staff_to_their_branch() -> None:
    clerk = person("surety:CLERK")
    clerk.branch_id = 3
    require_staff(clerk, surety=SURETY, branch=Branch(pk=3, surety_id=SURETY.pk))
    require_staff(clerk, surety=SURETY, branch=None)
    with pytest.raises(NotPermitted, match="他の取次場所"):
        require_staff(clerk, surety=SURETY, branch=Branch(pk=4, surety_id=SURETY.pk))
    with pytest.raises(NotPermitted):
        require_staff(person("surety:CLERK", active=False), surety=SURETY, branch=None)
    with pytest.raises(NotPermitted):
        require_staff(person("contractor:ORG_ADMIN"), surety=SURETY, branch=None)


def test_the_require_forms_follow_the_table() -> None:
    require_importer(person("surety:APPROVER"), SURETY)
    with pytest.raises(NotPermitted, match="一括取込の権限がありません"):
        require_importer(person("surety:CLERK"), SURETY)
    require_orderer_manager(person("surety:BRANCH_MANAGER"))
    with pytest.raises(NotPermitted):
        require_orderer_manager(person("surety:APPROVER"))
    require_contractor_user(person("contractor:MEMBER"), CONTRACTOR)
    with pytest.raises(NotPermitted):
        require_contractor_user(person("contractor:MEMBER"), Contractor(pk=2, name="建設B"))
    with pytest.raises(NotPermitted):
        require_contractor_user(person("contractor:MEMBER", active=False), CONTRACTOR)


# -- the portals' doors, organisation administrators, webhooks, second factor ---------------------

DOORS = {
    # who: (is_contractor_user, is_orderer_user, is_org_admin)
    "surety:CLERK": (False, False, False),
    "surety:SURETY_ADMIN": (False, False, False),
    "contractor:ORG_ADMIN": (True, False, True),
    "contractor:MEMBER": (True, False, False),
    "orderer:ORG_ADMIN": (False, True, True),
    "orderer:MEMBER": (False, True, False),
}


@pytest.mark.parametrize("who", list(DOORS))
def test_each_portal_door_lets_in_its_own_active_people_only(who: str) -> None:
    user = person(who)
    assert (is_contractor_user(user), is_orderer_user(user), is_org_admin(user)) == DOORS[who]
    gone = person(who, active=False)
    assert (is_contractor_user(gone), is_orderer_user(gone), is_org_admin(gone)) == (False, False, False)
    assert is_contractor_user(None) is False and is_orderer_user(object()) is False


def test_webhooks_are_administered_by_the_organisations_own_admin_not_a_branch_bound_one() -> None:
    orderer_admin = person("orderer:ORG_ADMIN")
    orderer_admin.orderer = ORDERER
    assert webhook_owner_administered_by(orderer_admin) == ORDERER
    surety_admin = person("surety:SURETY_ADMIN")
    surety_admin.surety = SURETY
    assert webhook_owner_administered_by(surety_admin) == SURETY
    surety_admin.branch_id = 3
    assert webhook_owner_administered_by(surety_admin) is None
    for who in ("surety:BRANCH_MANAGER", "surety:APPROVER", "orderer:MEMBER", "contractor:ORG_ADMIN"):
        assert webhook_owner_administered_by(person(who)) is None
    assert webhook_owner_administered_by(person("orderer:ORG_ADMIN", active=False)) is None


def test_a_case_is_withdrawn_by_its_entrant_or_rejected_by_an_approver() -> None:
    clerk = person("surety:CLERK", pk=7)
    require_approver_or_entrant(clerk, surety=SURETY, branch=None, entered_by_id=7)
    with pytest.raises(NotPermitted, match="承認の権限がありません"):
        require_approver_or_entrant(clerk, surety=SURETY, branch=None, entered_by_id=8)
    require_approver_or_entrant(person("surety:APPROVER", pk=9), surety=SURETY, branch=None, entered_by_id=8)
    with pytest.raises(NotPermitted):
        require_approver_or_entrant(clerk, surety=OTHER_SURETY, branch=None, entered_by_id=7)


def test_only_an_admin_of_the_same_surety_resets_a_second_factor() -> None:
    colleague = person("surety:CLERK", pk=11)
    assert can_reset_second_factor(person("surety:SURETY_ADMIN"), of=colleague) is True
    assert can_reset_second_factor(person("surety:BRANCH_MANAGER"), of=colleague) is False
    assert can_reset_second_factor(person("surety:SURETY_ADMIN", active=False), of=colleague) is False
    stranger = person("surety:CLERK", pk=12)
    stranger.surety_id = OTHER_SURETY.pk
    assert can_reset_second_factor(person("surety:SURETY_ADMIN"), of=stranger) is False
