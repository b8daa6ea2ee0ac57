"""Issue 11 item 10: who owns an orderer's departments (where notices go), and who hears of a change.

The orderer does: once it has its own 管理者, only that 管理者 changes them (組織情報);
until then the sureties' 管理者・支店長 keep them. Every change is in every surety's
audit log and in the orderer's history (office and 組織情報), and is mailed to the
orderer's 管理者 and to the 管理者 of every surety that has guarantees for the orderer.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.errors import NotPermitted
from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.models import ImportStatus
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Orderer, OrdererDepartment, Role, User
from esurety.parties.services import DepartmentInput, OrdererInput, orderer_update
from esurety.verification.selectors import notice_department_for
from tests.factories import World, make_guarantee, make_surety, make_user
from tests.office.operations import csv_bytes, line

NOW = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))
NEW_ADDRESS = "koji-new@tokushima.example"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


class Parties:
    def __init__(self, world: World) -> None:
        self.west_admin = make_user("west-admin", surety=world.surety, role=Role.SURETY_ADMIN)
        self.west_guarantee = make_guarantee(world)
        east, east_branch = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
        self.east = east
        self.east_admin = make_user("east-admin", surety=east, role=Role.SURETY_ADMIN)
        # 東日本 also has a guarantee for 徳島市 (its key notices go to the same departments).
        batch = import_batch_upload(
            by=self.east_admin,
            file_name="east.csv",
            content=csv_bytes([line(world, 取次場所=east_branch.name, 工事名="東日本の工事")]),
            now=NOW,
        )
        done = import_batch_process(batch_id=batch.pk, now=NOW)
        assert done is not None and done.status == ImportStatus.IMPORTED, done and done.errors
        # A third surety with nothing for 徳島市: not told.
        north, _ = make_surety("北海道建設業信用保証株式会社", first_number=4_070_000_001)
        self.north_admin = make_user("north-admin", surety=north, role=Role.SURETY_ADMIN)
        OutboxMessage.objects.all().delete()


@pytest.fixture
def parties(world: World) -> Parties:
    return Parties(world)


def _office_edit_post(orderer: Orderer, **overrides: str) -> dict[str, str]:
    departments = list(orderer.departments.order_by("name"))
    data = {
        "name": orderer.name,
        "organisation_name": orderer.organisation_name,
        "postal_code": "",
        "address": "",
        "notice_subject_template": "",
        "adopt__WORKS__ADVANCE": "on",
        "adoption_from": "2026-04-01",
        "adoption_until": "",
        "dept-TOTAL_FORMS": str(len(departments)),
        "dept-INITIAL_FORMS": str(len(departments)),
        "dept-MIN_NUM_FORMS": "0",
        "dept-MAX_NUM_FORMS": "1000",
    }
    for i, d in enumerate(departments):
        data[f"dept-{i}-name"] = d.name
        data[f"dept-{i}-email"] = d.email
        data[f"dept-{i}-kinds"] = d.handles_kinds.split(",")[0]
    data.update(overrides)
    return data


def _koji(orderer: Orderer) -> OrdererDepartment:
    return orderer.departments.get(name="工事担当課")


def _portal_post(orderer: Orderer, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    departments = list(orderer.departments.order_by("name"))
    data: dict[str, str | list[str]] = {
        "dept-TOTAL_FORMS": str(len(departments)),
        "dept-INITIAL_FORMS": str(len(departments)),
        "dept-MIN_NUM_FORMS": "0",
        "dept-MAX_NUM_FORMS": "1000",
    }
    for i, d in enumerate(departments):
        data[f"dept-{i}-name"] = d.name
        data[f"dept-{i}-email"] = d.email
        data[f"dept-{i}-kinds"] = d.handles_kinds.split(",")
    data.update(overrides)
    return data


def _field_index(orderer: Orderer, name: str) -> int:
    return [d.name for d in orderer.departments.order_by("name")].index(name)


# -- an orderer with its own 管理者 keeps its departments ------------------------------------------


def test_another_surety_cannot_reroute_an_orderer_that_has_its_own_admin(world: World, parties: Parties) -> None:
    make_user("tokushima-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    old_address = _koji(world.orderer).email
    i = _field_index(world.orderer, "工事担当課")
    east = client_for(parties.east_admin)

    form = text(east.get(f"/office/orderers/{world.orderer.pk}/edit/"))
    assert "発注者の管理者が保証確認サービスの「組織情報」で管理しています" in form
    assert 'name="dept-0-email"' not in form

    # Posting department fields anyway changes nothing of them (the rest of the form is saved).
    east.post(
        f"/office/orderers/{world.orderer.pk}/edit/",
        _office_edit_post(world.orderer, **{f"dept-{i}-email": NEW_ADDRESS, "address": "徳島市幸町"}),
    )
    world.orderer.refresh_from_db()
    assert world.orderer.address == "徳島市幸町"
    assert _koji(world.orderer).email == old_address
    assert notice_department_for(guarantee=parties.west_guarantee).email == old_address  # type: ignore[union-attr]

    # And the service refuses it whatever the caller.
    with pytest.raises(NotPermitted, match="組織情報"):
        orderer_update(
            orderer=world.orderer,
            by=parties.east_admin,
            data=OrdererInput(
                name=world.orderer.name,
                departments=(DepartmentInput(name="工事担当課", email=NEW_ADDRESS, kinds=("ADVANCE",)),),
            ),
            now=NOW,
        )
    assert _koji(world.orderer).email == old_address


def test_the_orderers_admin_changes_them_and_every_serving_surety_is_told(world: World, parties: Parties) -> None:
    admin = make_user("tokushima-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    other_admin = make_user("tokushima-admin2", orderer=world.orderer, role=Role.ORG_ADMIN)
    old_address = _koji(world.orderer).email
    client = client_for(admin)
    assert "部署と通知先を変更する" in text(client.get("/verify/organisation/"))
    assert client.get("/verify/organisation/departments/").status_code == 200

    i = _field_index(world.orderer, "工事担当課")
    bad = client.post("/verify/organisation/departments/", _portal_post(world.orderer, **{f"dept-{i}-email": "x"}))
    assert bad.status_code == 400 and "メールアドレスの形式が正しくありません。" in text(bad)
    assert _koji(world.orderer).email == old_address

    response = client.post(
        "/verify/organisation/departments/", _portal_post(world.orderer, **{f"dept-{i}-email": NEW_ADDRESS})
    )
    assert response.status_code == 302
    assert _koji(world.orderer).email == NEW_ADDRESS
    # Key notices of every surety now go there.
    assert notice_department_for(guarantee=parties.west_guarantee).email == NEW_ADDRESS  # type: ignore[union-attr]

    entry = AuditEntry.objects.get(action="orderer.departments_update")
    assert entry.actor == admin and entry.surety_id_scope is None
    mails = {m.to[0]: m for m in OutboxMessage.objects.filter(template="orderer_departments_changed")}
    assert set(mails) == {parties.west_admin.email, parties.east_admin.email, other_admin.email}
    body = mails[parties.west_admin.email].body_text
    assert "徳島市上下水道事業管理者" in body and "tokushima-admin" in body
    assert old_address in body and NEW_ADDRESS in body
    assert f"/office/orderers/{world.orderer.pk}/" in body
    assert "/verify/organisation/" in mails[other_admin.email].body_text
    assert "の通知先（部署・メールアドレス）が変更されました" in mails[parties.east_admin.email].subject

    # Visible to every surety: its audit log and the orderer's page; and to the orderer.
    for surety_admin in (parties.west_admin, parties.east_admin):
        staff = client_for(surety_admin)
        log = text(staff.get("/office/audit/", {"action": "orderer.departments_update"}))
        assert "発注者の部署と通知先の変更" in log and NEW_ADDRESS in log
        page = text(staff.get(f"/office/orderers/{world.orderer.pk}/"))
        assert "変更の履歴" in page and NEW_ADDRESS in page and "部署と通知先の変更" in page
        assert "の管理者が保証確認サービスの「組織情報」で管理しています" in page
    organisation = text(client_for(world.orderer_user).get("/verify/organisation/"))
    assert f"部署「工事担当課」: {old_address}" in organisation and NEW_ADDRESS in organisation
    assert "部署と通知先を変更する" not in organisation  # a 一般利用者 does not change them


def test_an_unchanged_save_records_and_mails_nothing(world: World, parties: Parties) -> None:
    admin = make_user("tokushima-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    response = client_for(admin).post("/verify/organisation/departments/", _portal_post(world.orderer))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="orderer.departments_update").exists()
    assert not OutboxMessage.objects.filter(template="orderer_departments_changed").exists()


@pytest.mark.parametrize("who", ["member", "other_orderer_admin", "contractor", "west_admin"])
def test_nobody_else_reaches_the_departments_page(world: World, parties: Parties, who: str) -> None:
    make_user("tokushima-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    user = {
        "member": world.orderer_user,
        "other_orderer_admin": make_user(
            "naruto-admin", orderer=Orderer.objects.create(name="鳴門市長"), role=Role.ORG_ADMIN
        ),
        "contractor": world.contractor_user,
        "west_admin": parties.west_admin,
    }[who]
    client = client_for(user)
    before = _koji(world.orderer).email
    if who == "other_orderer_admin":
        # Its own page edits its own orderer only: 徳島市's departments are not in it.
        page = text(client.get("/verify/organisation/departments/"))
        assert "工事担当課" not in page
        return
    assert client.get("/verify/organisation/departments/").status_code == 404
    i = _field_index(world.orderer, "工事担当課")
    assert (
        client.post(
            "/verify/organisation/departments/", _portal_post(world.orderer, **{f"dept-{i}-email": NEW_ADDRESS})
        ).status_code
        == 404
    )
    assert _koji(world.orderer).email == before


# -- an orderer without a 管理者: the sureties keep its departments, in view of each other ------------


def test_a_surety_may_edit_an_orderer_without_admin_and_the_others_see_and_hear_it(
    world: World, parties: Parties
) -> None:
    """The issue's case: 東日本 changed 徳島市's address; 西日本's notices went there unseen."""
    old_address = _koji(world.orderer).email
    i = _field_index(world.orderer, "工事担当課")
    east = client_for(parties.east_admin)
    response = east.post(
        f"/office/orderers/{world.orderer.pk}/edit/",
        _office_edit_post(world.orderer, **{f"dept-{i}-email": NEW_ADDRESS}),
    )
    assert response.status_code == 302
    assert _koji(world.orderer).email == NEW_ADDRESS

    # 西日本's administrator is told by mail (東日本's, who made it, is not; 北海道 serves no guarantee there).
    mails = OutboxMessage.objects.filter(template="orderer_departments_changed")
    assert [m.to for m in mails] == [[parties.west_admin.email]]
    assert "東日本建設業保証株式会社" in mails[0].body_text
    assert old_address in mails[0].body_text and NEW_ADDRESS in mails[0].body_text

    # 西日本's audit log shows 東日本's change, with the organisation that made it.
    west = client_for(parties.west_admin)
    log = text(west.get("/office/audit/", {"action": "orderer.update"}))
    assert "発注者の変更" in log and "東日本建設業保証株式会社" in log and NEW_ADDRESS in log
    page = text(west.get(f"/office/orderers/{world.orderer.pk}/"))
    assert "東日本建設業保証株式会社" in page and f"部署「工事担当課」: {old_address}" in page
    # A branch-bound clerk of 西日本 sees it too (orderers are on every staff member's pages).
    from esurety.parties.models import Branch

    tokushima = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    branch_clerk = make_user("tokushima-clerk", surety=world.surety, branch=tokushima, role=Role.CLERK)
    assert NEW_ADDRESS in text(client_for(branch_clerk).get("/office/audit/", {"action": "orderer.update"}))
    # Other sureties' own business stays theirs.
    assert "東日本の工事" not in text(west.get("/office/audit/"))
