"""The token pages: a surety's 管理者 in the back office, an orderer's 管理者 in the verification portal."""

from __future__ import annotations

import re

from django.test import Client

from esurety.integrations.models import ApiToken
from esurety.parties.models import Role, User
from tests.api.conftest import Api
from tests.factories import World, make_orderer, make_user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_secret(page: str) -> str:
    found = re.search(r'<code id="issued-token">([^<]+)</code>', page)
    assert found is not None, page
    return found.group(1)


def test_a_surety_admin_issues_a_token_sees_it_once_and_revokes_it(world: World) -> None:
    admin = make_user("surety-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    client = login(admin)
    page = client.post("/office/api-tokens/", {"name": "基幹システム", "role": "APPROVER"}).content.decode()
    secret = shown_secret(page)
    assert "二度と表示できません" in page
    token = ApiToken.objects.get()
    assert token.surety == world.surety and token.user.role == Role.APPROVER and token.created_by == admin
    # Shown once: the list afterwards has only the prefix.
    again = client.get("/office/api-tokens/").content.decode()
    assert secret not in again and token.prefix in again and "承認者" in again
    assert Api(secret).get("/imports/1").status_code == 404  # a live surety token
    response = client.post(f"/office/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    assert Api(secret).get("/imports/1").status_code == 401


def test_a_name_is_required_and_other_staff_cannot_issue(world: World) -> None:
    admin = make_user("surety-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    response = login(admin).post("/office/api-tokens/", {"name": "", "role": "CLERK"})
    assert response.status_code == 400 and "名称を入力してください。" in response.content.decode()
    page = login(world.clerk).post("/office/api-tokens/", {"name": "勝手な連携", "role": "APPROVER"}).content.decode()
    assert "管理者のみ行えます" in page and 'id="issued-token"' not in page
    assert not ApiToken.objects.exists()


def test_another_suretys_admin_cannot_revoke(world: World) -> None:
    admin = make_user("surety-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    login(admin).post("/office/api-tokens/", {"name": "基幹システム", "role": "CLERK"})
    token = ApiToken.objects.get()
    from tests.factories import make_surety

    east, _ = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    east_admin = make_user("east-admin", surety=east, role=Role.SURETY_ADMIN)
    assert login(east_admin).post(f"/office/api-tokens/{token.pk}/revoke/").status_code == 404
    assert token.prefix not in login(east_admin).get("/office/api-tokens/").content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_staff_issue_an_orderers_token_on_its_page(world: World) -> None:
    manager = make_user("branch-manager", surety=world.surety, role=Role.BRANCH_MANAGER)
    client = login(manager)
    assert (
        f"/office/orderers/{world.orderer.pk}/api-tokens/"
        in client.get(f"/office/orderers/{world.orderer.pk}/").content.decode()
    )
    page = client.post(f"/office/orderers/{world.orderer.pk}/api-tokens/", {"name": "電子契約システム"})
    secret = shown_secret(page.content.decode())
    assert Api(secret).get("/certificates").status_code == 200
    assert ApiToken.objects.get().orderer == world.orderer


def test_an_orderer_admin_issues_and_revokes_its_own_tokens(world: World) -> None:
    admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    client = login(admin)
    assert "/verify/organisation/api-tokens/" in client.get("/verify/organisation/").content.decode()
    page = client.post("/verify/organisation/api-tokens/", {"name": "電子契約システム"}).content.decode()
    secret = shown_secret(page)
    assert Api(secret).get("/certificates").status_code == 200
    token = ApiToken.objects.get()
    assert (
        token.orderer == world.orderer and secret not in client.get("/verify/organisation/api-tokens/").content.decode()
    )
    assert client.post(f"/verify/organisation/api-tokens/{token.pk}/revoke/").status_code == 302
    assert Api(secret).get("/certificates").status_code == 401


def test_members_and_other_orderers_get_404(world: World) -> None:
    admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    login(admin).post("/verify/organisation/api-tokens/", {"name": "電子契約システム"})
    token = ApiToken.objects.get()
    member = login(world.orderer_user)
    assert member.get("/verify/organisation/api-tokens/").status_code == 404
    assert member.post(f"/verify/organisation/api-tokens/{token.pk}/revoke/").status_code == 404
    stranger_admin = make_user("naruto-admin", orderer=make_orderer("鳴門市長"), role=Role.ORG_ADMIN)
    stranger = login(stranger_admin)
    assert token.prefix not in stranger.get("/verify/organisation/api-tokens/").content.decode()
    assert stranger.post(f"/verify/organisation/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
