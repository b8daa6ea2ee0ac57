"""Bearer tokens: stored as a digest, shown once, one system user each, 401/403 answers, revocation."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create, api_token_revoke
from esurety.parties.models import Role
from tests.api.conftest import Api, Tokens, assert_error
from tests.factories import PASSWORD, World, make_guarantee, make_user


def test_only_the_digest_is_stored_and_the_system_user_cannot_log_in(world: World) -> None:
    issued = api_token_create(by=None, name="電子契約システム", orderer=world.orderer, now=timezone.now())
    token = ApiToken.objects.get()
    assert issued.secret.startswith(token.prefix + "_") and token.prefix.startswith("esk_")
    assert token.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(list(ApiToken.objects.values()))
    user = token.user
    assert user.username.startswith("api-") and user.orderer == world.orderer and user.email == ""
    assert not user.has_usable_password()
    assert not Client().login(username=user.username, password="")
    response = Client().post("/login/", {"username": user.username, "password": PASSWORD})
    assert "_auth_user_id" not in Client().session
    assert response.status_code == 200  # the login page again, with its error
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor is None and issued.secret not in str(entry.after)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer esk_deadbeef_" + "x" * 43, "Bearer 全角のトークン"],
)
def test_a_missing_or_wrong_token_is_a_401_in_json(tokens: Tokens, header: str | None) -> None:
    client = Client()
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/api/v1/certificates", **extra)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_at_once_and_its_user_with_it(world: World, tokens: Tokens) -> None:
    api = Api(tokens.orderer)
    assert api.get("/certificates").status_code == 200
    token = ApiToken.objects.get(orderer=world.orderer)
    api_token_revoke(token=token, by=None, now=timezone.now())
    assert_error(api.get("/certificates"), 401, "unauthorized")
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.user.is_active
    with pytest.raises(InvalidStateError):
        api_token_revoke(token=token, by=None, now=timezone.now())
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_use_is_noted_without_a_write_per_request(world: World, tokens: Tokens) -> None:
    api = Api(tokens.orderer)
    api.get("/certificates")
    token = ApiToken.objects.get(orderer=world.orderer)
    first = token.last_used_at
    assert first is not None
    api.get("/certificates")
    token.refresh_from_db()
    assert token.last_used_at == first


def test_who_may_issue_and_revoke(world: World, tokens: Tokens) -> None:
    now = timezone.now()
    admin = make_user("surety-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    manager = make_user("branch-manager", surety=world.surety, role=Role.BRANCH_MANAGER)
    orderer_admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    east_admin = make_user("east-admin", surety=tokens.other_surety_company, role=Role.SURETY_ADMIN)
    # The surety's own tokens: its 管理者 only.
    assert api_token_create(
        by=admin, name="基幹", surety=world.surety, role=Role.APPROVER, now=now
    ).token.user.role == (Role.APPROVER)
    for someone in (world.clerk, world.approver, manager, east_admin, orderer_admin):
        with pytest.raises(NotPermitted):
            api_token_create(by=someone, name="基幹", surety=world.surety, now=now)
    # An orderer's tokens: its own 管理者, or a surety's 管理者・支店長 (who keep orderers' data)
    # while the orderer has no 管理者 of its own (as for inviting its first person).
    api_token_create(by=orderer_admin, name="電子契約 orderer-admin", orderer=world.orderer, now=now)
    for someone in (admin, manager, east_admin):
        with pytest.raises(InvalidStateError):
            api_token_create(by=someone, name=f"電子契約 {someone.username}", orderer=world.orderer, now=now)
    for someone in (admin, manager, east_admin):
        api_token_create(by=someone, name=f"鳴門 {someone.username}", orderer=tokens.stranger, now=now)
    for someone in (world.orderer_user, world.clerk, world.contractor_user):
        with pytest.raises(NotPermitted):
            api_token_create(by=someone, name="電子契約", orderer=world.orderer, now=now)
    stranger_admin = make_user("naruto-admin", orderer=tokens.stranger, role=Role.ORG_ADMIN)
    with pytest.raises(NotPermitted):
        api_token_create(by=stranger_admin, name="電子契約", orderer=world.orderer, now=now)
    token = ApiToken.objects.filter(orderer=world.orderer).first()
    assert token is not None
    with pytest.raises(NotPermitted):
        api_token_revoke(token=token, by=stranger_admin, now=now)
    with pytest.raises(DomainError) as bad:
        api_token_create(by=admin, name=" ", surety=world.surety, role=Role.SURETY_ADMIN, now=now)
    assert {v.field for v in bad.value.violations} == {"name", "role"}


def test_tokens_from_the_command_line(world: World) -> None:
    out = io.StringIO()
    call_command("api_token", "create", "--orderer", str(world.orderer.pk), "--name", "電子契約システム", stdout=out)
    secret = out.getvalue().strip()
    assert Api(secret).get("/certificates").status_code == 200
    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    prefix = ApiToken.objects.get().prefix
    assert prefix in listing.getvalue() and secret not in listing.getvalue()
    call_command("api_token", "revoke", prefix, stdout=io.StringIO())
    assert_error(Api(secret).get("/certificates"), 401, "unauthorized")
    surety_out = io.StringIO()
    call_command(
        "api_token",
        "create",
        "--surety",
        str(world.surety.pk),
        "--name",
        "基幹",
        "--role",
        "APPROVER",
        stdout=surety_out,
    )
    g = make_guarantee(world)
    assert Api(surety_out.getvalue().strip()).get(f"/guarantees/{g.number}").status_code == 200


def test_system_users_are_not_listed_as_people(world: World, tokens: Tokens) -> None:
    system = ApiToken.objects.get(orderer=world.orderer).user
    orderer_admin = make_user("orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    client = Client()
    client.force_login(orderer_admin)
    for url in ("/account/members/", "/verify/organisation/"):
        page = client.get(url).content.decode()
        assert world.orderer_user.username in page  # the people are listed…
        assert system.username not in page and system.display_name not in page  # …the system is not


def test_the_back_office_lists_people_not_systems(world: World, tokens: Tokens) -> None:
    system = ApiToken.objects.get(orderer=world.orderer).user
    admin = make_user("surety-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/office/orderers/{world.orderer.pk}/").content.decode()
    assert world.orderer_user.username in page and system.username not in page
    surety_system = ApiToken.objects.get(surety=world.surety, user__role=Role.CLERK).user
    totp = client.get("/office/totp/").content.decode()
    assert world.clerk.username in totp and surety_system.username not in totp
