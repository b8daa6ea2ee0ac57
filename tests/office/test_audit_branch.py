"""Issue 11 item 9: the audit log follows the branch rule of the office pages.

徳島支店's staff get 404 on 大塚支店's guarantee; the audit log, its ?target= search,
its counts and its CSV export must not show that guarantee either (工事名, amounts,
premium, history, receipts, key events). Head-office staff see every branch of their
surety; nobody sees another surety's entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_record
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.models import AmendmentType, Guarantee, NumberSeries
from esurety.guarantees.services import (
    access_key_plain,
    access_key_reissue,
    access_key_reveal,
    amendment_request_create,
    premium_rate_create,
)
from esurety.parties.models import Branch, Role, User
from esurety.verification.services import certificate_verify
from tests.factories import World, make_guarantee, make_user
from tests.office.operations import client_for, other_surety_staff

OTSUKA_WORK = "大塚支店の非公開工事"
TOKUSHIMA_WORK = "徳島支店の工事"


def export_rows(user: User, **params: str) -> list[list[str]]:
    response = client_for(user).get("/office/audit/export.csv", params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))[1:]


def with_history(world: World, g: Guarantee) -> Guarantee:
    """Receipt, key events and a pending amendment: the 'key events' the issue names."""
    now = timezone.now()
    key = access_key_plain(guarantee=g)
    assert key is not None
    certificate_verify(user=world.orderer_user, number=g.number, key=key, client_ip="192.0.2.1", now=now)
    access_key_reveal(guarantee=g, by=world.contractor_user, now=now, purpose="view")
    access_key_reissue(guarantee=g, by=world.clerk, now=now)
    amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type=AmendmentType.AMOUNT,
        contract_price=g.contract_price,
        guaranteed_amount=30_000_000,
        effective_on=dt.date(2026, 5, 1),
        reason="減額",
        now=now,
    )
    return g


@pytest.fixture
def branches(world: World) -> tuple[Guarantee, Guarantee, User]:
    tokushima = Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")
    NumberSeries.objects.create(
        branch=tokushima, kind="", first_number=2_071_000_001, last_number=2_071_099_999, next_number=2_071_000_001
    )
    otsuka_g = with_history(world, make_guarantee(world, work_name=OTSUKA_WORK))
    tokushima_g = with_history(world, make_guarantee(world, work_name=TOKUSHIMA_WORK, branch_id=tokushima.pk))
    staff = make_user("tokushima-manager", surety=world.surety, branch=tokushima, role=Role.BRANCH_MANAGER)
    return otsuka_g, tokushima_g, staff


def test_branch_staff_get_404_on_the_page_and_nothing_in_the_audit_list(
    world: World, branches: tuple[Guarantee, Guarantee, User]
) -> None:
    otsuka_g, tokushima_g, staff = branches
    client = client_for(staff)
    assert client.get(f"/office/guarantees/{otsuka_g.number}/").status_code == 404

    listing = client.get("/office/audit/").content.decode()
    assert tokushima_g.number in listing and TOKUSHIMA_WORK in listing
    assert otsuka_g.number not in listing and OTSUKA_WORK not in listing

    searched = client.get("/office/audit/", {"target": otsuka_g.number}).content.decode()
    assert "条件に合う記録はありません。" in searched
    assert OTSUKA_WORK not in searched
    # By object ID too: its application and its guarantee are not found.
    for object_id in (str(otsuka_g.pk), str(otsuka_g.application_id)):
        page = client.get("/office/audit/", {"target": object_id}).content.decode()
        assert otsuka_g.number not in page and OTSUKA_WORK not in page
    for action in ("certificate.receive", "access_key.reveal", "access_key.reissue", "amendment_request.create"):
        page = client.get("/office/audit/", {"action": action}).content.decode()
        assert tokushima_g.number in page, action
        assert otsuka_g.number not in page, action


def test_branch_staff_count_only_their_branch(world: World, branches: tuple[Guarantee, Guarantee, User]) -> None:
    otsuka_g, tokushima_g, staff = branches
    rows = export_rows(staff)
    listing = client_for(staff).get("/office/audit/").content.decode()
    assert listing.count('<tr class="audit-row">') == len(rows)
    head_office = export_rows(world.clerk)
    assert len(head_office) > len(rows)
    # What the head office sees and the branch does not is exactly 大塚支店's business.
    hidden = [r for r in head_office if r not in rows]
    assert any(otsuka_g.number in (r[6] + r[7]) for r in hidden)
    assert not any(tokushima_g.number in (r[6] + r[7]) for r in hidden)


def test_branch_staff_export_nothing_of_another_branch(
    world: World, branches: tuple[Guarantee, Guarantee, User]
) -> None:
    otsuka_g, tokushima_g, staff = branches
    everything = "\n".join(",".join(r) for r in export_rows(staff))
    assert tokushima_g.number in everything
    assert otsuka_g.number not in everything and OTSUKA_WORK not in everything
    assert "40000000" in everything  # its own amounts are there …
    assert export_rows(staff, target=otsuka_g.number) == []  # … another branch's are not found at all


def test_head_office_sees_every_branch_and_no_other_surety(
    world: World, branches: tuple[Guarantee, Guarantee, User]
) -> None:
    otsuka_g, tokushima_g, _ = branches
    admin = make_user("head-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    for g in (otsuka_g, tokushima_g):
        page = client_for(admin).get("/office/audit/", {"target": g.number}).content.decode()
        assert g.work_name in page and "電子証書の発行" in page and "発注者による受領（確認）" in page
    _, east = other_surety_staff()
    east_rows = export_rows(east)
    assert not any(g.number in ",".join(r) for r in east_rows for g in (otsuka_g, tokushima_g))
    assert "条件に合う記録はありません。" in client_for(east).get("/office/audit/").content.decode()


def test_branch_staff_still_see_the_surety_wide_entries(
    world: World, branches: tuple[Guarantee, Guarantee, User]
) -> None:
    """Orderers and premium rates are on every staff member's pages: their history is too."""
    _, _, staff = branches
    admin = make_user("rate-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    premium_rate_create(
        by=admin,
        kind=GuaranteeKind.ADVANCE,
        effective_from=dt.date(2027, 4, 1),
        annual_rate=Decimal("0.001300"),
        minimum_premium=3_000,
        is_sample=True,
        now=timezone.now(),
    )
    assert AuditEntry.objects.filter(action="premium_rate.create").exists()
    page = client_for(staff).get("/office/audit/", {"action": "premium_rate.create"}).content.decode()
    assert "保証料率の登録" in page and "条件に合う記録はありません。" not in page
    # A head-office administrator's own account events are not the branch's.
    with transaction.atomic():
        audit_record(actor=admin, action="user.password_set", obj=admin, at=timezone.now(), surety_id=world.surety.pk)
    page = client_for(staff).get("/office/audit/", {"action": "user.password_set"}).content.decode()
    assert "条件に合う記録はありません。" in page
