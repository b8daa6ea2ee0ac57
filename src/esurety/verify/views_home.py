"""ホーム of 保証確認サービス: the orderer's received certificates at a glance, and what to act on.

Everything comes from what the orderer's organisation received (dashboards
selectors over verification.selectors); the 管理者 also sees which department
was sent which notices and who verified them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from esurety.core.clock import TOKYO, business_date, now
from esurety.dashboards import selectors as figures
from esurety.dashboards.periods import month_label
from esurety.parties.models import User
from esurety.verify.access import orderer_required, orderer_user
from esurety.verify.forms import VerifyForm
from esurety.web.charts import ChartSpec, Series
from esurety.web.figures import COUNT, DATE, DATETIME, TEXT, YEN, Figure, with_charts


class OrdererFigures:
    def __init__(self, user: User, at: dt.datetime) -> None:
        self.user = user
        self.now = at
        self.today = business_date(at)

    @cached_property
    def states(self) -> list[figures.StateCount]:
        return figures.received_by_state(user=self.user, today=self.today)

    @cached_property
    def expiring(self) -> list[figures.Expiring]:
        return figures.expiring_for_orderer(user=self.user, today=self.today)

    @cached_property
    def changes(self) -> list[figures.ChangeReceived]:
        return figures.changes_this_month(user=self.user, today=self.today)

    @cached_property
    def activity(self) -> figures.OrdererActivity | None:
        return figures.orderer_activity(user=self.user, today=self.today)

    @cached_property
    def intake(self) -> list[tuple[dt.date, int]]:
        return figures.receipts_per_month(user=self.user, today=self.today)


def _certificate_url(number: str) -> str:
    return reverse("verify:certificate", args=[number])


def states_figure(f: OrdererFigures) -> Figure:
    total = sum(s.count for s in f.states)
    description = f"受領済みの電子証書{total:,}件の状態別の件数。" + "、".join(
        f"{s.label}{s.count:,}件" for s in f.states
    )
    chart = ChartSpec(
        chart_id="chart-states",
        title="受領済みの電子証書（状態別）",
        description=description + "。",
        labels=[s.label for s in f.states],
        series=[Series("件数", [s.count for s in f.states])],
        kind="bar",
        height=260,
        print_values=True,
    )
    received = reverse("verify:received")
    return Figure(
        key="states",
        title="受領済みの電子証書（状態別）",
        note="「変更あり」は、確認した後に金額の変更（変更証書）があったものです。",
        chart_spec=chart,
        headers=["状態", "件数"],
        formats=[TEXT, COUNT],
        rows=[[s.label, s.count] for s in f.states],
        links=[f"{received}?{urlencode({'status': s.label})}" for s in f.states],
        csv_url=reverse("verify:home_csv", args=["states"]),
    )


def intake_figure(f: OrdererFigures) -> Figure:
    months = f.intake
    chart = ChartSpec(
        chart_id="chart-intake",
        title="受領件数（月別・過去12か月）",
        description=f"過去12か月に初めて確認した電子証書の件数。合計{sum(n for _, n in months):,}件。",
        labels=[month_label(m) for m, _ in months],
        series=[Series("受領件数", [n for _, n in months])],
        kind="bar",
        height=260,
        label_every=2,
    )
    return Figure(
        key="intake",
        title="受領件数（月別・過去12か月）",
        chart_spec=chart,
        headers=["月", "受領件数"],
        formats=[TEXT, COUNT],
        rows=[[month_label(m), n] for m, n in reversed(months)],
        csv_url=reverse("verify:home_csv", args=["intake"]),
    )


def expiring_figure(f: OrdererFigures) -> Figure:
    rows = f.expiring
    return Figure(
        key="expiring",
        title="保証期間が90日以内に終わる保証",
        note="工期の延長が見込まれる工事は、受注者に変更契約の手続きをお伝えください。",
        headers=["保証契約番号", "残り日数", "区分", "保証期間", "工事名", "保証契約者", "保証金額:円", "保証事業会社"],
        formats=[TEXT, COUNT, TEXT, DATE, TEXT, TEXT, YEN, TEXT],
        rows=[
            [
                e.receipt.guarantee.number,
                e.days_left,
                e.receipt.guarantee.get_kind_display(),
                e.receipt.guarantee.period_end,
                e.receipt.guarantee.work_name,
                e.receipt.guarantee.contractor.name,
                e.receipt.guarantee.guaranteed_amount,
                e.receipt.guarantee.surety.name,
            ]
            for e in rows
        ],
        links=[_certificate_url(e.receipt.guarantee.number) for e in rows],
        csv_url=reverse("verify:home_csv", args=["expiring"]),
        table_open=True,
    )


def changes_figure(f: OrdererFigures) -> Figure:
    rows = f.changes
    return Figure(
        key="changes",
        title="今月の変更・解約",
        headers=["保証契約番号", "日時", "内容", "詳細", "工事名", "保証契約者"],
        formats=[TEXT, DATETIME, TEXT, TEXT, TEXT, TEXT],
        rows=[
            [
                c.receipt.guarantee.number,
                c.at.astimezone(TOKYO),
                c.label,
                c.detail,
                c.receipt.guarantee.work_name,
                c.receipt.guarantee.contractor.name,
            ]
            for c in rows
        ],
        links=[_certificate_url(c.receipt.guarantee.number) for c in rows],
        csv_url=reverse("verify:home_csv", args=["changes"]),
        table_open=True,
    )


def departments_figure(f: OrdererFigures) -> Figure | None:
    activity = f.activity
    if activity is None:
        return None
    rows = activity.departments
    chart = ChartSpec(
        chart_id="chart-departments",
        title="部署別の受領状況（認証キー等のお知らせ）",
        description="部署ごとに、届いたお知らせのうち確認済みと未確認の件数。"
        + "".join(f"{d.name}: 確認済み{d.verified:,}件、未確認{d.unverified:,}件。" for d in rows),
        labels=[d.name for d in reversed(rows)],
        series=[
            Series("確認済み", [d.verified for d in reversed(rows)]),
            Series("未確認", [d.unverified for d in reversed(rows)]),
        ],
        kind="horizontal_stacked_bar",
        height=max(200, 90 + 40 * len(rows)),
    )
    return Figure(
        key="departments",
        title="部署別の受領状況（認証キー等のお知らせ）",
        note="受注者が「発注者へ送信」したお知らせの宛先部署ごとに数えています（管理者のみ表示）。",
        chart_spec=chart,
        headers=["部署", "担当する区分", "届いたお知らせ", "確認済み", "未確認", "最も古い未確認", "最新の受信"],
        formats=[TEXT, TEXT, COUNT, COUNT, COUNT, DATETIME, DATETIME],
        rows=[
            [
                d.name,
                d.kinds,
                d.notices,
                d.verified,
                d.unverified,
                _tokyo(d.oldest_unverified_at),
                _tokyo(d.last_notice_at),
            ]
            for d in rows
        ],
        csv_url=reverse("verify:home_csv", args=["departments"]),
    )


def people_figure(f: OrdererFigures) -> Figure | None:
    activity = f.activity
    if activity is None:
        return None
    return Figure(
        key="people",
        title="利用者別の確認件数",
        note="保証契約番号と認証キーで電子証書を確認した回数です。",
        headers=["利用者", "今月", "累計", "最後の確認"],
        formats=[TEXT, COUNT, COUNT, DATETIME],
        rows=[[p.label, p.verified_this_month, p.verified_total, _tokyo(p.last_verified_at)] for p in activity.people],
        csv_url=reverse("verify:home_csv", args=["people"]),
        table_open=True,
    )


def _tokyo(at: dt.datetime | None) -> dt.datetime | None:
    return at.astimezone(TOKYO) if at is not None else None


FIGURES: dict[str, Callable[[OrdererFigures], Figure | None]] = {
    "states": states_figure,
    "intake": intake_figure,
    "expiring": expiring_figure,
    "changes": changes_figure,
    "departments": departments_figure,
    "people": people_figure,
}


@require_GET
@orderer_required
def home(request: HttpRequest) -> HttpResponse:
    f = OrdererFigures(orderer_user(request), now())
    counts = {s.label: s.count for s in f.states}
    windows = [(w, sum(1 for e in f.expiring if e.window == w)) for w in figures.EXPIRY_WINDOWS]
    states, intake, *admin = with_charts(
        [states_figure(f), intake_figure(f), *(x for x in (departments_figure(f), people_figure(f)) if x is not None)]
    )
    return render(
        request,
        "verify/home.html",
        {
            "form": VerifyForm(),
            "received_total": sum(counts.values()),
            "counts": counts,
            "windows": windows,
            "expiring": f.expiring,
            "state_figures": [states, intake],
            "expiring_figure": expiring_figure(f),
            "changes_figure": changes_figure(f),
            "admin_figures": admin,
        },
    )


@require_GET
@orderer_required
def home_csv(request: HttpRequest, key: str) -> StreamingHttpResponse:
    build = FIGURES.get(key)
    f = OrdererFigures(orderer_user(request), now())
    figure = build(f) if build is not None else None
    if figure is None:
        raise Http404("この集計はありません。")
    return figure.csv(
        filename=f"{figure.title}_{f.today:%Y%m%d}.csv", fallback=f"verify-home-{key}-{f.today:%Y%m%d}.csv"
    )
