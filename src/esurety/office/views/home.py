"""ホーム: what a branch manager, the head office and their clerks look at each morning.

The figures come from dashboards.selectors, which apply the office's branch
rule; head office may pick one branch. Each chart has its table behind
「表で見る」 and the same rows as CSV.
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

from esurety.core.clock import business_date, now
from esurety.core.kinds import GuaranteeKind
from esurety.dashboards import selectors as figures
from esurety.dashboards.periods import month_label
from esurety.office.access import staff_required, staff_user
from esurety.office.views.lifecycle_common import requested_branch, visible_branches
from esurety.parties.models import Branch, User
from esurety.web.charts import ChartSpec, Series
from esurety.web.figures import COUNT, DATETIME, PERCENT, TEXT, YEN, Figure, with_charts

CHART_KINDS = (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE)


class StaffFigures:
    """The selectors' answers for one page view, each asked once."""

    def __init__(self, user: User, branch: Branch | None, at: dt.datetime) -> None:
        self.user = user
        self.branch = branch
        self.branch_id = branch.pk if branch else None
        self.now = at
        self.today = business_date(at)

    def csv_url(self, key: str) -> str:
        query = f"?{urlencode({'branch': self.branch_id})}" if self.branch_id else ""
        return reverse("office:home_csv", args=[key]) + query

    @cached_property
    def months(self) -> list[figures.MonthConclusions]:
        return figures.monthly_conclusions(user=self.user, today=self.today, branch_id=self.branch_id)

    @cached_property
    def orderers(self) -> list[figures.OrdererRate]:
        return figures.electronic_rate_by_orderer(user=self.user, today=self.today, branch_id=self.branch_id)

    @cached_property
    def premiums(self) -> list[figures.MonthPremiums]:
        return figures.monthly_premiums(user=self.user, today=self.today, branch_id=self.branch_id)

    @cached_property
    def applications(self) -> figures.OpenApplications:
        return figures.open_applications(user=self.user, today=self.today, branch_id=self.branch_id)

    @property
    def period(self) -> str:
        return f"{month_label(self.months[0].month)}〜{month_label(self.months[-1].month)}"


def _labels(months: list[dt.date]) -> list[str]:
    return [month_label(m) for m in months]


def conclusions_figure(f: StaffFigures) -> Figure:
    months = f.months
    kinds = dict(GuaranteeKind.choices)
    busiest = max(months, key=lambda m: m.eligible)
    total = sum(m.eligible for m in months)
    description = f"{f.period}の月別の締結件数（前払・中間前払・契約の積み上げ）。24か月の合計{total:,}件" + (
        f"、最も多いのは{month_label(busiest.month)}の{busiest.eligible:,}件。" if total else "。"
    )
    chart = ChartSpec(
        chart_id="chart-conclusions",
        title="保証契約の締結件数（月別・区分別）",
        description=description,
        labels=_labels([m.month for m in months]),
        series=[Series(kinds[k], [m.count(k) for m in months]) for k in CHART_KINDS],
        kind="stacked_bar",
        label_every=3,
    )
    return Figure(
        key="conclusions",
        title="保証契約の締結件数（月別・区分別）",
        note="契約締結日の月で数えています。契約保証予約は書面のみのため、グラフと電子交付率の対象外です（表には載せています）。",
        chart_spec=chart,
        headers=["月", "前払", "中間前払", "契約", "計", "契約保証予約", "うち電子交付", "電子交付率"],
        formats=[TEXT, COUNT, COUNT, COUNT, COUNT, COUNT, COUNT, PERCENT],
        rows=[
            [
                month_label(m.month),
                m.count(GuaranteeKind.ADVANCE),
                m.count(GuaranteeKind.INTERIM_ADVANCE),
                m.count(GuaranteeKind.PERFORMANCE),
                m.eligible,
                m.count(GuaranteeKind.PERFORMANCE_RESERVATION),
                m.electronic,
                m.rate,
            ]
            for m in reversed(months)
        ],
        csv_url=f.csv_url("conclusions"),
    )


def rate_figure(f: StaffFigures) -> Figure:
    months = f.months
    rated = [m for m in months if m.rate is not None]
    latest = rated[-1] if rated else None
    description = f"{f.period}の月別の電子交付率（前払・中間前払・契約のうち電子交付の割合）。" + (
        f"直近の{month_label(latest.month)}は{latest.rate}%（{latest.electronic:,}件／{latest.eligible:,}件）。"
        if latest
        else "締結はありません。"
    )
    chart = ChartSpec(
        chart_id="chart-electronic-rate",
        title="電子交付率（月別）",
        description=description,
        labels=_labels([m.month for m in months]),
        series=[Series("電子交付率", [float(m.rate) if m.rate is not None else None for m in months])],
        kind="line",
        value_format="percent",
        label_every=3,
        height=300,
    )
    return Figure(
        key="electronic-rate",
        title="電子交付率（月別）",
        note="電子交付率 ＝ 電子交付の件数 ÷ 前払・中間前払・契約の締結件数。",
        chart_spec=chart,
        headers=["月", "締結件数", "電子交付", "書面", "電子交付率"],
        formats=[TEXT, COUNT, COUNT, COUNT, PERCENT],
        rows=[[month_label(m.month), m.eligible, m.electronic, m.paper, m.rate] for m in reversed(months)],
        csv_url=f.csv_url("electronic-rate"),
    )


def orderers_figure(f: StaffFigures) -> Figure:
    rows = f.orderers
    paper_most = max(rows, key=lambda r: r.paper, default=None)
    description = f"過去12か月の締結件数が多い発注者{len(rows)}者の電子交付率。" + (
        f"書面が最も多いのは{paper_most.name}（書面{paper_most.paper:,}件、電子交付率{paper_most.rate}%）。"
        if paper_most and paper_most.paper
        else ""
    )
    # pygal draws the first label at the bottom: reversed, the largest orderer is on top.
    shown = list(reversed(rows))
    chart = ChartSpec(
        chart_id="chart-orderers",
        title="発注者別の電子交付率（過去12か月・件数の多い20者）",
        description=description,
        labels=[r.name for r in shown],
        series=[Series("電子交付率", [float(r.rate) if r.rate is not None else 0 for r in shown])],
        kind="horizontal_bar",
        value_format="percent",
        height=max(220, 60 + 28 * len(rows)),
        print_values=True,
        max_value=100,
    )
    return Figure(
        key="orderers",
        title="発注者別の電子交付率（過去12か月・件数の多い20者）",
        note="書面の多い発注者には電子保証の導入をご案内ください。",
        chart_spec=chart,
        headers=["発注者", "締結件数", "電子交付", "書面", "電子交付率"],
        formats=[TEXT, COUNT, COUNT, COUNT, PERCENT],
        rows=[[r.name, r.total, r.electronic, r.paper, r.rate] for r in rows],
        csv_url=f.csv_url("orderers"),
    )


def premiums_figure(f: StaffFigures) -> Figure:
    months = f.premiums
    total = sum(m.premium for m in months)
    refunds = sum(m.refunds for m in months)
    description = (
        f"{f.period}の月別の保証料収入（保証料領収書の金額、非課税）と返還保証料（返還計算書の金額）。"
        f"24か月の合計は保証料{total:,}円、返還{refunds:,}円。"
    )
    chart = ChartSpec(
        chart_id="chart-premiums",
        title="保証料収入と返還（月別・万円）",
        description=description,
        labels=_labels([m.month for m in months]),
        series=[
            Series("保証料（領収）", [round(m.premium / 10_000, 1) for m in months]),
            Series("返還", [round(m.refunds / 10_000, 1) for m in months]),
        ],
        kind="bar",
        value_format="man_yen",
        label_every=3,
    )
    return Figure(
        key="premiums",
        title="保証料収入と返還（月別）",
        note="保証料は非課税（消費税法第6条）。保証料領収書(計算書)・返還計算書の発行日の月で集計しています。",
        chart_spec=chart,
        headers=["月", "保証料領収書", "保証料:円", "返還計算書", "返還:円", "差引:円"],
        formats=[TEXT, COUNT, YEN, COUNT, YEN, YEN],
        rows=[
            [month_label(m.month), m.premium_count, m.premium, m.refund_count, m.refunds, m.net]
            for m in reversed(months)
        ],
        csv_url=f.csv_url("premiums"),
    )


def applications_figure(f: StaffFigures) -> Figure:
    states = f.applications.states
    buckets = [label for label, _, _ in figures.AGE_BUCKETS]
    waiting = [s for s in states if s.count]
    description = f"処理中の申込{f.applications.total:,}件を状態別・受付からの日数別に示します。" + "".join(
        f"{s.label}{s.count:,}件（最も古いもの{s.age_days(f.today)}日）。" for s in waiting
    )
    shown = list(reversed(states))
    chart = ChartSpec(
        chart_id="chart-applications",
        title="処理中の申込（状態別・受付からの日数）",
        description=description,
        labels=[s.label for s in shown],
        series=[Series(label, [s.by_bucket[i] for s in shown]) for i, label in enumerate(buckets)],
        kind="horizontal_stacked_bar",
        height=260,
    )
    queue = reverse("office:queue")
    return Figure(
        key="applications",
        title="処理中の申込（状態別・受付からの日数）",
        chart_spec=chart,
        headers=["状態", "件数", *buckets, "最も古い受付", "経過日数"],
        formats=[TEXT, COUNT, *[COUNT] * len(buckets), DATETIME, COUNT],
        rows=[[s.label, s.count, *s.by_bucket, s.oldest_submitted_at, s.age_days(f.today)] for s in states],
        links=[
            f"{queue}?{urlencode({'status': s.status, **({'branch': f.branch_id} if f.branch_id else {})})}"
            for s in states
        ],
        csv_url=f.csv_url("applications"),
    )


FIGURES: dict[str, Callable[[StaffFigures], Figure]] = {
    "conclusions": conclusions_figure,
    "electronic-rate": rate_figure,
    "orderers": orderers_figure,
    "premiums": premiums_figure,
    "applications": applications_figure,
}


def _figures_for(request: HttpRequest) -> StaffFigures:
    user = staff_user(request)
    branches = visible_branches(user)
    branch_id = requested_branch(request, branches)
    branch = next((b for b in branches if b.pk == branch_id), None)
    if user.branch_id is not None:
        branch = None  # the selectors hold a branch user to their own branch
    return StaffFigures(user, branch, now())


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    f = _figures_for(request)
    user = f.user
    branches = visible_branches(user)
    fiscal = figures.fiscal_year_conclusions(f.months, today=f.today)
    this_month = f.premiums[-1]
    drawn = with_charts(
        [applications_figure(f), conclusions_figure(f), rate_figure(f), orderers_figure(f), premiums_figure(f)]
    )
    return render(
        request,
        "office/home.html",
        {
            "office_tab": "home",
            "branches": branches,
            "branch_id": f.branch_id,
            "scope_label": branches[0].name
            if user.branch_id is not None and branches
            else (f.branch.name if f.branch else "全支店"),
            "refreshed_at": figures.figures_refreshed_at(),
            "fiscal": fiscal,
            "fiscal_year": fiscal.first_month.year,
            "this_month": this_month,
            "applications": f.applications,
            "work_items": figures.work_items(user=user, now=f.now, branch_id=f.branch_id),
            "oldest": [
                (a, (f.today - business_date(a.submitted_at)).days if a.submitted_at else None)
                for a in f.applications.oldest
            ],
            "work_figures": drawn[:1],
            "conclusion_figures": drawn[1:4],
            "premium_figures": drawn[4:],
        },
    )


@require_GET
@staff_required
def home_csv(request: HttpRequest, key: str) -> StreamingHttpResponse:
    build = FIGURES.get(key)
    if build is None:
        raise Http404("この集計はありません。")
    f = _figures_for(request)
    figure = build(f)
    scope = f.branch.name if f.branch else ("自支店" if f.user.branch_id else "全支店")
    return figure.csv(
        filename=f"{figure.title}_{scope}_{f.today:%Y%m%d}.csv", fallback=f"office-home-{key}-{f.today:%Y%m%d}.csv"
    )
