"""保証確認サービス → ホーム: only what the orderer received; the 30/60/90-day list; the 管理者's department figures."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.test import Client

from esurety.core.wareki import format_wareki
from esurety.dashboards import selectors
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import Orderer, Role, User
from esurety.verification import services as verification
from esurety.verification.models import Receipt
from tests.dashboards.data import NOW, TODAY, at
from tests.factories import PASSWORD, World, change_period, make_guarantee, make_orderer, make_user


def receive(user: User, g: Guarantee, when: dt.datetime = NOW) -> Receipt:
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    return verification.certificate_verify(user=user, number=g.number, key=key, client_ip="192.0.2.10", now=when)


def guarantee(world: World, name: str, completion: dt.date, **overrides: object) -> Guarantee:
    with time_machine.travel(at(dt.date(2026, 4, 20)), tick=False):
        return make_guarantee(world, work_name=name, completion_date=completion, **overrides)


class Received:
    def __init__(self, world: World) -> None:
        self.other_orderer: Orderer = make_orderer("鳴門浜市長", adopt_from=dt.date(2024, 1, 1))
        self.other_user = make_user("naruto", orderer=self.other_orderer)
        self.admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
        self.in_25 = guarantee(world, "二十五日後に終わる工事", TODAY + dt.timedelta(days=25))
        self.in_66 = guarantee(world, "六十六日後に終わる工事", TODAY + dt.timedelta(days=66))
        self.in_107 = guarantee(world, "百七日後に終わる工事", TODAY + dt.timedelta(days=107))
        self.not_received = guarantee(world, "未受領の工事", TODAY + dt.timedelta(days=20))
        self.others = guarantee(
            world, "他の発注者の工事", TODAY + dt.timedelta(days=10), orderer_id=self.other_orderer.pk
        )
        for g in (self.in_25, self.in_66, self.in_107):
            receive(world.orderer_user, g, at(dt.date(2026, 5, 1)))
        receive(self.other_user, self.others, at(dt.date(2026, 5, 1)))


@pytest.fixture
def received(world: World) -> Received:
    return Received(world)


def page(user: User, url: str = "/verify/home/") -> str:
    client = Client()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_orderers_land_on_their_home(world: World) -> None:
    response = Client().post("/login/", {"username": world.orderer_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/verify/home/"
    body = page(world.orderer_user)
    # Number + key stays one step away: the form on the home posts to the verification page.
    assert 'action="/verify/"' in body and 'name="key"' in body


def test_the_30_60_90_day_list_holds_only_received_guarantees_soonest_first(world: World, received: Received) -> None:
    rows = selectors.expiring_for_orderer(user=world.orderer_user, today=TODAY)
    assert [(e.receipt.guarantee.number, e.days_left, e.window) for e in rows] == [
        (received.in_25.number, 25, 30),
        (received.in_66.number, 66, 90),
    ]
    body = page(world.orderer_user)
    assert received.in_25.number in body and received.in_66.number in body
    for hidden in (received.in_107, received.not_received, received.others):
        assert hidden.number not in body
    assert [
        e.receipt.guarantee.number for e in selectors.expiring_for_orderer(user=received.other_user, today=TODAY)
    ] == [received.others.number]


def test_expiring_csv_with_bom(world: World, received: Received) -> None:
    client = Client()
    client.force_login(world.orderer_user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/verify/home/expiring.csv")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["保証契約番号", "残り日数"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(received.in_25.number, "25"), (received.in_66.number, "66")]


def test_expiring_guarantee_periods_read_in_the_japanese_era_like_the_certificate(
    world: World, received: Received
) -> None:
    """保証期間 is a business date: 令和 as on the certificate and in 受領済み一覧 (it read 2026/12/…),
    on one line (令和8年12月11 / 日 broke at a desktop's width)."""
    body = page(world.orderer_user)
    for g in (received.in_25, received.in_66):
        assert f'<td class="nowrap">{format_wareki(g.period_end, padded=False)}</td>' in body
        assert g.period_end.strftime("%Y/%m/%d") not in body


def test_expiring_amounts_are_plain_under_a_yen_header(world: World, received: Received) -> None:
    # The header says 保証金額:円, as every list of the site does; the cells are plain numbers.
    client = Client()
    client.force_login(world.orderer_user)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/verify/home/").content.decode()
    amount = f"{received.in_25.guaranteed_amount:,}"
    assert '<th scope="col">保証金額:円</th>' in page
    assert f'<td class="num">{amount}</td>' in page
    assert f"{amount}円" not in page


def test_received_by_state_counts_only_the_orderers_own(world: World, received: Received) -> None:
    services.guarantee_cancel(guarantee=received.in_107, by=world.approver, reason="工事中止", now=NOW)
    counts = {s.label: s.count for s in selectors.received_by_state(user=world.orderer_user, today=TODAY)}
    assert counts == {
        "有効": 2,
        "変更あり": 0,
        "解約": 1,
        "保証期間満了": 0,
        "完了": 0,
        "履行請求中": 0,
        "保証履行済": 0,
    }
    assert sum(s.count for s in selectors.received_by_state(user=received.other_user, today=TODAY)) == 1


def test_changes_this_month_of_received_guarantees_only(world: World, received: Received) -> None:
    def change(g: Guarantee, when: dt.datetime) -> None:
        with time_machine.travel(when, tick=False):  # the amendment's row is stamped by the clock
            change_period(
                guarantee=g,
                by=world.approver,
                completion_date=TODAY + dt.timedelta(days=80),
                effective_on=when.date(),
                reason="工期延長",
                now=when,
            )

    june, may = at(dt.date(2026, 6, 3)), at(dt.date(2026, 5, 20))
    change(received.in_25, june)
    change(received.not_received, june)  # not received: not the orderer's business
    change(received.in_66, may)  # last month's change is not this month's
    changes = selectors.changes_this_month(user=world.orderer_user, today=TODAY)
    assert [(c.receipt.guarantee.number, c.label) for c in changes] == [(received.in_25.number, "工期の変更")]
    assert selectors.changes_this_month(user=received.other_user, today=TODAY) == []
    assert received.in_25.number in page(world.orderer_user).split("今月の変更・解約</h3>")[1]


def test_the_administrator_sees_departments_and_people_a_plain_user_does_not(world: World, received: Received) -> None:
    notice_only = guarantee(world, "お知らせのみの工事", TODAY + dt.timedelta(days=200))
    for g in (received.in_25, notice_only):
        verification.notice_dispatch_send(guarantee=g, by=world.contractor_user, now=at(dt.date(2026, 4, 30)))
    assert selectors.orderer_activity(user=world.orderer_user, today=TODAY) is None
    activity = selectors.orderer_activity(user=received.admin, today=TODAY)
    assert activity is not None
    works = next(d for d in activity.departments if d.name == "工事担当課")
    assert (works.notices, works.verified, works.unverified) == (2, 1, 1)
    assert next(d for d in activity.departments if d.name == "契約窓口").notices == 0
    assert [(p.label, p.verified_total) for p in activity.people] == [(world.orderer_user.username, 3)]
    assert "部署別の受領状況" in page(received.admin)
    assert "部署別の受領状況" not in page(world.orderer_user)
    client = Client()
    client.force_login(world.orderer_user)
    assert client.get("/verify/home/departments.csv").status_code == 404


def test_nobody_else_reaches_the_orderer_home(world: World) -> None:
    for user in (world.clerk, world.contractor_user):
        client = Client()
        client.force_login(user)
        assert client.get("/verify/home/").status_code == 404


def test_received_by_state_counts_the_end_states_of_a_guarantee(world: World, received: Received) -> None:
    # Completion and claims change the guarantee's status through esurety.claims; only the count is read here.
    Guarantee.objects.filter(pk=received.in_66.pk).update(status=GuaranteeStatus.COMPLETED)
    Guarantee.objects.filter(pk=received.in_107.pk).update(status=GuaranteeStatus.CLAIMED)
    counts = {s.label: s.count for s in selectors.received_by_state(user=world.orderer_user, today=TODAY)}
    assert (counts["完了"], counts["履行請求中"], counts["保証履行済"]) == (1, 1, 0)
    assert sum(counts.values()) == 3  # each received certificate counted once
