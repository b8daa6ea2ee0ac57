"""監査ログ: staff search their surety's log, read before → after, export CSV, verify the chain."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import transaction
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.audit.services import AuditItem, audit_record_many, audit_verify
from esurety.parties.models import Role
from tests.factories import World, make_guarantee, make_user
from tests.office.operations import client_for, other_surety_staff


@pytest.fixture
def admin(world: World):
    return make_user("office-admin", surety=world.surety, role=Role.SURETY_ADMIN)


def rows_of(html: str) -> int:
    return html.count('<tr class="audit-row">')


def test_search_by_number_actor_action_and_date(world: World) -> None:
    g = make_guarantee(world)
    other = make_guarantee(world, work_name="別の工事")
    client = client_for(world.clerk)

    everything = client.get("/office/audit/").content.decode()
    assert "承認" in everything and "契約締結" in everything and "電子証書の発行" in everything

    by_number = client.get("/office/audit/", {"target": g.number}).content.decode()
    assert "契約締結" in by_number and "電子証書の発行" in by_number
    assert other.number not in by_number
    # The whole history: its application from entry to conclusion, and its certificate.
    assert rows_of(by_number) == 7
    assert "保証申込の作成" in by_number

    approvals = client.get("/office/audit/", {"action": "application.approve"}).content.decode()
    assert rows_of(approvals) == 2
    # The change reads as before → after, in the words of the screens.
    assert "審査中" in approvals and "<strong>承認</strong>" in approvals

    by_actor = client.get("/office/audit/", {"actor": "approver"}).content.decode()
    assert rows_of(by_actor) == AuditEntry.objects.filter(actor=world.approver).count() == 2

    today = timezone.localdate()
    assert rows_of(client.get("/office/audit/", {"date_from": today.isoformat()}).content.decode()) > 0
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert "条件に合う記録はありません。" in client.get("/office/audit/", {"date_to": yesterday}).content.decode()
    bad = client.get("/office/audit/", {"date_from": today.isoformat(), "date_to": yesterday}).content.decode()
    assert "期間（まで）は期間（から）以降の日付にしてください。" in bad


def test_paginated(world: World) -> None:
    with transaction.atomic():
        audit_record_many(
            actor=world.clerk,
            at=timezone.now(),
            items=[
                AuditItem(
                    action="guarantee.import", object_type="Guarantee", object_id=str(i), surety_id=world.surety.pk
                )
                for i in range(1, 121)
            ],
        )
    client = client_for(world.clerk)
    first = client.get("/office/audit/").content.decode()
    assert rows_of(first) == 50
    assert "120件中 1 - 50件" in first
    last = client.get("/office/audit/", {"page": 3}).content.decode()
    assert rows_of(last) == 20
    assert audit_verify() is None


def test_csv_export_follows_the_search(world: World) -> None:
    g = make_guarantee(world)
    response = client_for(world.clerk).get("/office/audit/export.csv", {"target": g.number})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["日時", "実行者", "操作", "操作コード", "対象", "対象ID", "変更前", "変更後"]
    assert sorted(r[3] for r in rows[1:]) == [
        "application.approve",
        "application.conclude",
        "application.confirm_payment",
        "application.create",
        "application.start_review",
        "application.submit",
        "certificate.issue",
    ]
    assert any(g.number in r[7] for r in rows[1:])


def test_verify_button_for_administrators(world: World, admin) -> None:
    make_guarantee(world)
    clerk_page = client_for(world.clerk).get("/office/audit/").content.decode()
    assert "監査ログの検証" not in clerk_page
    assert client_for(world.clerk).post("/office/audit/verify/").status_code == 404

    client = client_for(admin)
    assert "監査ログの検証</button>" in client.get("/office/audit/").content.decode()
    ok = client.post("/office/audit/verify/", follow=True).content.decode()
    assert "監査ログの検証: 正常です" in ok

    victim = AuditEntry.objects.filter(action="application.approve").first()
    assert victim is not None
    # Someone edits the table behind the application's back.
    AuditEntry.objects.filter(pk=victim.pk).update(after={"status": "REJECTED"})
    broken = client.post("/office/audit/verify/", follow=True).content.decode()
    assert f"監査ログの検証: 異常があります。エントリ #{victim.pk}: このエントリの内容が改ざんされています。" in broken


def test_other_sureties_and_other_users(world: World) -> None:
    g = make_guarantee(world)
    _, east = other_surety_staff()
    east_page = client_for(east).get("/office/audit/", {"target": g.number}).content.decode()
    assert "条件に合う記録はありません。" in east_page
    assert g.number not in client_for(east).get("/office/audit/").content.decode()
    export = client_for(east).get("/office/audit/export.csv")
    assert g.number not in b"".join(export.streaming_content).decode()
    for user in (world.contractor_user, world.orderer_user):
        client = client_for(user)
        assert client.get("/office/audit/").status_code == 404
        assert client.get("/office/audit/export.csv").status_code == 404
        assert client.post("/office/audit/verify/").status_code == 404
