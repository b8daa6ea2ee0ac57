"""Who may issue an orderer's token: a surety's staff cannot read an orderer's received certificates through one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from esurety.core.errors import InvalidStateError
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create
from esurety.parties.models import Role, User
from tests.contractor.portal import tables
from tests.factories import World, make_surety, make_user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_cannot_issue_a_token_for_an_orderer_that_has_its_own_administrator(world: World) -> None:
    # The orderer's token lists every certificate the orderer received, from every surety:
    # once the orderer has a 管理者, its tokens are the orderer's to issue (as its people are).
    make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    manager = make_user("branch-manager", surety=world.surety, role=Role.BRANCH_MANAGER)
    response = login(manager).post(f"/office/orderers/{world.orderer.pk}/api-tokens/", {"name": "電子契約システム"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "発注者の管理者が" in page and 'id="issued-token"' not in page
    with pytest.raises(InvalidStateError):
        api_token_create(by=manager, name="裏口", orderer=world.orderer, now=timezone.now())
    assert not ApiToken.objects.exists()


def test_the_orderers_administrator_and_the_server_operator_still_issue(world: World) -> None:
    admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    assert api_token_create(by=admin, name="電子契約システム", orderer=world.orderer, now=timezone.now()).secret
    assert api_token_create(by=None, name="移行用", orderer=world.orderer, now=timezone.now()).secret
    assert ApiToken.objects.filter(orderer=world.orderer).count() == 2


def test_a_branch_bound_administrator_cannot_issue_a_surety_wide_token(world: World) -> None:
    # A surety's token acts for the whole company (no branch), so issuing one would let a
    # 管理者 of one branch read and change every branch's guarantees.
    branch_admin = make_user("branch-admin", surety=world.surety, branch=world.branch, role=Role.SURETY_ADMIN)
    page = login(branch_admin).post("/office/api-tokens/", {"name": "支店の連携", "role": "APPROVER"}).content.decode()
    assert "管理者のみ行えます" in page and 'id="issued-token"' not in page
    assert not ApiToken.objects.exists()


def test_another_suretys_staff_neither_see_nor_revoke_an_orderer_token_they_did_not_issue(world: World) -> None:
    # Sureties share the orderers' records; an integration one surety set up for an orderer
    # is not another surety's to read about or to cut.
    issuer = make_user("west-manager", surety=world.surety, role=Role.SURETY_ADMIN)
    token = api_token_create(by=issuer, name="電子契約システム", orderer=world.orderer, now=timezone.now()).token
    other, _ = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    rival = make_user("east-admin", surety=other, role=Role.SURETY_ADMIN)

    page = login(rival).get(f"/office/orderers/{world.orderer.pk}/api-tokens/").content.decode()
    assert token.prefix not in page
    assert login(rival).post(f"/office/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    assert token.prefix in login(issuer).get(f"/office/orderers/{world.orderer.pk}/api-tokens/").content.decode()
    login(issuer).post(f"/office/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_orderer_list_counts_people_not_token_users(world: World) -> None:
    def people() -> str:
        rows = tables(login(world.clerk).get("/office/orderers/").content.decode())[0]["body"]
        return next(row[5] for row in rows if row[0] == world.orderer.name)

    before = people()
    api_token_create(by=None, name="電子契約システム", orderer=world.orderer, now=timezone.now())
    people_count = User.objects.filter(orderer=world.orderer, is_active=True, api_token__isnull=True).count()
    assert people() == before == str(people_count)
    assert User.objects.filter(orderer=world.orderer, is_active=True).count() == people_count + 1
