"""業務システム → ホーム: the staff's landing page, its charts, tables and CSV, scoped like every office page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.test import Client

from esurety.audit.models import AuditEntry
from esurety.dashboards import selectors
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees import services
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.parties.models import User
from esurety.verification import services as verification
from tests.dashboards.data import NOW, TODAY, Dashboards, at, build
from tests.factories import PASSWORD, World, submit_application


@pytest.fixture
def data(world: World) -> Dashboards:
    d = build(world)
    dashboard_figures_refresh(now=NOW)
    return d


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(user: User, url: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = login(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def csv_rows(user: User, url: str) -> tuple[bytes, list[list[str]]]:
    with time_machine.travel(NOW, tick=False):
        response = login(user).get(url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_staff_land_on_their_home(world: World) -> None:
    response = Client().post("/login/", {"username": world.clerk.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/office/home/"
    page = get(world.clerk, "/office/home/")
    assert 'aria-current="page">ホーム</a>' in page
    # The queue keeps its own tab and address.
    assert 'href="/office/">申込審査</a>' in page


def test_conclusions_csv_has_a_bom_and_the_tables_rows(data: Dashboards) -> None:
    raw, rows = csv_rows(data.head_office, "/office/home/conclusions.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["月", "前払", "中間前払", "契約", "計", "契約保証予約", "うち電子交付", "電子交付率"]
    by_month = {r[0]: r[1:] for r in rows[1:]}
    assert len(by_month) == 24
    assert by_month["2026/04"] == ["3", "0", "0", "3", "0", "2", "66.7"]
    assert by_month["2026/05"] == ["2", "0", "1", "3", "0", "2", "66.7"]
    assert by_month["2024/07"] == ["0", "0", "0", "0", "0", "0", ""]


def test_a_branch_user_sees_only_their_branch_on_the_page_and_in_csv(data: Dashboards) -> None:
    other = data.other_orderer.name  # only 大塚支店 concluded for it
    assert other in get(data.head_office, "/office/home/")
    for url in ("/office/home/", f"/office/home/?branch={data.world.branch.pk}"):
        assert other not in get(data.tokushima_clerk, url)
    _, rows = csv_rows(data.tokushima_clerk, f"/office/home/conclusions.csv?branch={data.world.branch.pk}")
    by_month = {r[0]: r[1:] for r in rows[1:]}
    assert by_month["2026/04"][3] == "0" and by_month["2026/05"] == ["1", "0", "0", "1", "0", "1", "100.0"]
    _, orderers = csv_rows(data.tokushima_clerk, "/office/home/orderers.csv")
    assert [r[0] for r in orderers[1:]] == [data.world.orderer.name]


def test_head_office_filters_by_branch(data: Dashboards) -> None:
    page = get(data.head_office, f"/office/home/?branch={data.tokushima_branch.pk}")
    assert "（徳島支店）" in page
    _, rows = csv_rows(data.head_office, f"/office/home/conclusions.csv?branch={data.tokushima_branch.pk}")
    assert sum(int(r[4]) for r in rows[1:]) == 1


def test_charts_are_inline_svg_with_a_text_alternative_and_nothing_a_csp_blocks(data: Dashboards) -> None:
    page = get(data.head_office, "/office/home/")
    for chart_id in ("chart-conclusions", "chart-electronic-rate", "chart-orderers", "chart-premiums"):
        assert f'id="{chart_id}" class="chart" viewBox' in page
        assert f'aria-describedby="{chart_id}-desc"' in page
        assert f'<desc id="{chart_id}-desc">' in page
    assert 'role="img" aria-label="保証契約の締結件数（月別・区分別）"' in page
    assert "<style" not in page and "<script" not in page and ' style="' not in page
    assert page.count("表で見る") >= 5
    assert 'href="/office/home/premiums.csv"' in page


def test_premiums_csv_keeps_the_yen(data: Dashboards) -> None:
    _, rows = csv_rows(data.head_office, "/office/home/premiums.csv")
    assert rows[0] == ["月", "保証料領収書", "保証料:円", "返還計算書", "返還:円", "差引:円"]
    april = next(r for r in rows if r[0] == "2026/04")
    assert april[1] == "3" and int(april[2]) > 0 and int(april[5]) == int(april[2])


def test_work_in_hand_counts_for_the_scope(data: Dashboards) -> None:
    world = data.world
    g = data.guarantees["apr_e1"]
    with time_machine.travel(at(dt.date(2026, 6, 10)), tick=False):
        submit_application(world, work_name="受付待ち")
    services.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type="PERIOD",
        effective_on=TODAY,
        reason="工期延長",
        now=NOW,
        completion_date=dt.date(2027, 6, 30),
    )
    OutboxMessage.objects.filter(object_type="Guarantee", object_id=str(g.pk)).update(status=OutboxStatus.FAILED)
    for _ in range(12):
        try:
            verification.certificate_verify(
                user=world.orderer_user, number=g.number, key="7" * 10, client_ip="192.0.2.9", now=NOW
            )
        except (verification.VerificationLocked, verification.VerificationRefused):
            pass
    assert AuditEntry.objects.filter(action="verify.lockout").exists()

    def counts(user: User) -> dict[str, int]:
        return {i.key: i.count for i in selectors.work_items(user=user, now=NOW)}

    head = counts(data.head_office)
    assert head["amendments"] == 1 and head["mails_failed"] >= 1 and head["lockouts"] >= 1
    assert "webhooks_failed" in head  # the head office's 管理者 resends webhooks
    tokushima = counts(data.tokushima_clerk)
    assert tokushima["amendments"] == 0 and tokushima["mails_failed"] == 0 and tokushima["lockouts"] == 0
    assert "webhooks_failed" not in tokushima
    assert counts(data.otsuka_clerk)["amendments"] == 1
    # Tomorrow the lockout is no longer today's.
    assert {i.key: i.count for i in selectors.work_items(user=data.head_office, now=NOW + dt.timedelta(days=1))}[
        "lockouts"
    ] == 0

    waiting = selectors.open_applications(user=data.head_office, today=TODAY)
    submitted = next(s for s in waiting.states if s.status == "SUBMITTED")
    assert (submitted.count, submitted.age_days(TODAY), submitted.by_bucket) == (1, 5, [0, 0, 1, 0])
    assert [a.work_name for a in waiting.oldest] == ["受付待ち"]
    assert selectors.open_applications(user=data.tokushima_clerk, today=TODAY).total == 0
    page = get(data.head_office, "/office/home/")
    assert "受付待ち" in page and "承認待ちの変更申請" in page


def test_a_later_part_of_the_product_adds_its_work_in_hand(data: Dashboards) -> None:
    def claims(user: User, branch_id: int | None, now: dt.datetime) -> list[selectors.WorkItem]:
        return [selectors.WorkItem("claims", "未処理の保証債務の履行請求", 2, "/office/")]

    selectors.register_work_items(claims)
    try:
        assert "claims" in {i.key for i in selectors.work_items(user=data.head_office, now=NOW)}
        assert "未処理の保証債務の履行請求" in get(data.head_office, "/office/home/")
    finally:
        selectors._PROVIDERS.remove(claims)


def test_nobody_else_reaches_the_staff_home(data: Dashboards) -> None:
    for user in (data.world.orderer_user, data.world.contractor_user):
        assert login(user).get("/office/home/").status_code == 404
        assert login(user).get("/office/home/conclusions.csv").status_code == 404
    assert login(data.head_office).get("/office/home/nothing.csv").status_code == 404
    anonymous = Client().get("/office/home/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_names_in_charts_and_tables_are_text_not_markup(data: Dashboards) -> None:
    from tests.dashboards.data import concluded_at
    from tests.factories import make_orderer

    hostile = make_orderer('<script>alert("x")</script>市', adopt_from=dt.date(2024, 1, 1))
    concluded_at(data.world, at(dt.date(2026, 6, 1)), orderer_id=hostile.pk, work_name="名前の試験")
    dashboard_figures_refresh(now=NOW)
    page = get(data.head_office, "/office/home/")
    assert "<script" not in page
    assert "&lt;script&gt;alert(" in page


def test_times_in_tables_and_csv_are_tokyo_time(data: Dashboards) -> None:
    with time_machine.travel(at(dt.date(2026, 6, 10), hour=9), tick=False):
        submit_application(data.world, work_name="朝九時の申込")
    _, rows = csv_rows(data.head_office, "/office/home/applications.csv")
    submitted = next(r for r in rows if r[0] == "受付")
    assert submitted[-2] == "2026-06-10 09:00"
