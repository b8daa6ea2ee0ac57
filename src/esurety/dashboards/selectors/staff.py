"""The staff home's figures: guarantees concluded per month, 電子交付率 and premiums (from the
precomputed tables), and the work in hand, counted live (other apps add theirs through
register_work_items). Scoped by guarantees.selectors.staff_scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.urls import reverse

from esurety.core.clock import business_date
from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.dashboards.models import ConclusionMonth, OrdererMonth
from esurety.dashboards.periods import (
    MONTHS_KEPT,
    ORDERER_MONTHS,
    fiscal_year_start,
    last_months,
    month_start,
    tokyo_midnight,
)
from esurety.dashboards.selectors.common import (
    figure_scope,
    rate_percent,
)
from esurety.guarantees.audit_log import lockout_alerts_for_staff
from esurety.guarantees.models import (
    Application,
    ApplicationStatus,
    Guarantee,
)
from esurety.guarantees.outbox_log import outbox_for_staff
from esurety.guarantees.selectors import amendment_requests_for_staff, application_queue_for_staff, staff_scope
from esurety.notifications.models import OutboxStatus
from esurety.parties.models import Orderer, User
from esurety.webhooks.models import DeliveryStatus
from esurety.webhooks.selectors import webhook_deliveries_for, webhook_owner_for

# ---------------------------------------------------------------------------
# Staff: guarantees concluded per month, 電子交付率, premiums


@dataclass
class MonthConclusions:
    month: dt.date
    by_kind: dict[str, int] = field(default_factory=dict)
    electronic: int = 0  # of the kinds that can be delivered electronically

    @property
    def eligible(self) -> int:
        """前払 + 中間前払 + 契約: the guarantees 電子交付率 is a share of (契約保証予約 never is electronic)."""
        return sum(n for kind, n in self.by_kind.items() if kind != GuaranteeKind.PERFORMANCE_RESERVATION)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def paper(self) -> int:
        return self.eligible - self.electronic

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.electronic, self.eligible)

    def count(self, kind: str) -> int:
        return self.by_kind.get(kind, 0)


def monthly_conclusions(*, user: User, today: dt.date, branch_id: int | None = None) -> list[MonthConclusions]:
    """Guarantees concluded in each of the last 24 months (oldest first), by kind, with the electronic ones."""
    months = last_months(today, MONTHS_KEPT)
    result = {m: MonthConclusions(m) for m in months}
    scope = figure_scope(user, branch_id)
    if scope is None:
        return list(result.values())
    rows = (
        ConclusionMonth.objects.filter(scope, month__gte=months[0])
        .values_list("month", "kind", "delivery_method")
        .annotate(n=Sum("concluded"))
        .order_by()
    )
    for month, kind, delivery, n in rows:
        if month not in result or not n:
            continue
        figure = result[month]
        figure.by_kind[kind] = figure.by_kind.get(kind, 0) + n
        if delivery == DeliveryMethod.ELECTRONIC and kind != GuaranteeKind.PERFORMANCE_RESERVATION:
            figure.electronic += n
    return list(result.values())


@dataclass(frozen=True)
class PeriodConclusions:
    first_month: dt.date
    last_month: dt.date
    eligible: int
    electronic: int

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.electronic, self.eligible)


def fiscal_year_conclusions(months: list[MonthConclusions], *, today: dt.date) -> PeriodConclusions:
    """This 年度 so far (April to this month): the figure a surety reports at the end of a September."""
    start = fiscal_year_start(today)
    these = [m for m in months if m.month >= start]
    return PeriodConclusions(
        first_month=start,
        last_month=month_start(today),
        eligible=sum(m.eligible for m in these),
        electronic=sum(m.electronic for m in these),
    )


@dataclass(frozen=True)
class OrdererRate:
    orderer_id: int
    name: str
    electronic: int
    paper: int

    @property
    def total(self) -> int:
        return self.electronic + self.paper

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.electronic, self.total)


def electronic_rate_by_orderer(
    *, user: User, today: dt.date, branch_id: int | None = None, limit: int = 20
) -> list[OrdererRate]:
    """The `limit` orderers with the most guarantees over the last 12 months, with their 電子交付率."""
    scope = figure_scope(user, branch_id)
    if scope is None:
        return []
    first = last_months(today, ORDERER_MONTHS)[0]
    rows = list(
        OrdererMonth.objects.filter(scope, month__gte=first)
        .values("orderer_id")
        .annotate(e=Sum("electronic"), p=Sum("paper"), t=Sum(F("electronic") + F("paper")))
        .order_by("-t", "orderer_id")[:limit]
        .values_list("orderer_id", "e", "p")
    )
    names = dict(Orderer.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    return [OrdererRate(pk, names.get(pk, ""), e or 0, p or 0) for pk, e, p in rows]


@dataclass
class MonthPremiums:
    month: dt.date
    premium: int = 0
    premium_count: int = 0
    refunds: int = 0
    refund_count: int = 0

    @property
    def net(self) -> int:
        return self.premium - self.refunds


def monthly_premiums(*, user: User, today: dt.date, branch_id: int | None = None) -> list[MonthPremiums]:
    """Premiums received (保証料領収書(計算書)) and refunded (返還計算書) per month of issue; 非課税."""
    months = last_months(today, MONTHS_KEPT)
    result = {m: MonthPremiums(m) for m in months}
    scope = figure_scope(user, branch_id)
    if scope is None:
        return list(result.values())
    rows = (
        ConclusionMonth.objects.filter(scope, month__gte=months[0])
        .values_list("month")
        .annotate(p=Sum("premium"), pc=Sum("premium_count"), r=Sum("refunds"), rc=Sum("refund_count"))
        .order_by()
    )
    for month, p, pc, r, rc in rows:
        if month in result:
            result[month] = MonthPremiums(month, p or 0, pc or 0, r or 0, rc or 0)
    return list(result.values())


# ---------------------------------------------------------------------------
# Staff: the work in hand (live counts)

OPEN_STATES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
    ApplicationStatus.PAYMENT_CONFIRMED,
)
# Days since 受付; the buckets of the chart, youngest first.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1日以内", 0, 1),
    ("2〜3日", 2, 3),
    ("4〜7日", 4, 7),
    ("8日以上", 8, None),
)


@dataclass
class StateAges:
    status: str
    label: str
    count: int = 0
    oldest_submitted_at: dt.datetime | None = None
    by_bucket: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))

    def age_days(self, today: dt.date) -> int | None:
        if self.oldest_submitted_at is None:
            return None
        return (today - business_date(self.oldest_submitted_at)).days


@dataclass(frozen=True)
class OpenApplications:
    states: list[StateAges]
    oldest: list[Application]  # the longest waiting, oldest first

    @property
    def total(self) -> int:
        return sum(s.count for s in self.states)


def _bucket(age: int) -> int:
    for index, (_, low, high) in enumerate(AGE_BUCKETS):
        if age >= low and (high is None or age <= high):
            return index
    return len(AGE_BUCKETS) - 1


def open_applications(
    *, user: User, today: dt.date, branch_id: int | None = None, oldest: int = 10
) -> OpenApplications:
    """Applications not yet concluded or rejected, by state, with how long since 受付 (oldest first)."""
    labels = dict(ApplicationStatus.choices)
    states = {s: StateAges(s, labels[s]) for s in OPEN_STATES}
    if user.branch_id is not None:
        branch_id = None  # the selector already holds a branch user to their branch
    waiting = application_queue_for_staff(user=user, branch_id=branch_id).filter(status__in=OPEN_STATES)
    # One row per application would be thousands at a head office: group by state and 受付 day instead.
    per_day = (
        waiting.order_by()
        .values_list("status", "submitted_at__date")
        .annotate(n=Count("id"), first=Min("submitted_at"))
    )
    for status, _day, n, first in per_day:
        figure = states[status]
        figure.count += n
        if first is not None and (figure.oldest_submitted_at is None or first < figure.oldest_submitted_at):
            figure.oldest_submitted_at = first
        age = (today - business_date(first)).days if first is not None else 0
        figure.by_bucket[_bucket(age)] += n
    longest = list(
        waiting.select_related("contractor", "orderer", "branch").order_by(
            F("submitted_at").asc(nulls_last=True), "pk"
        )[:oldest]
    )
    return OpenApplications(states=list(states.values()), oldest=longest)


@dataclass(frozen=True)
class WorkItem:
    """One line of the work in hand: what, how many, where to act."""

    key: str
    label: str
    count: int
    url: str
    note: str = ""
    attention: bool = False  # shown as needing action when count > 0


WorkItemProvider = Callable[[User, int | None, dt.datetime], list[WorkItem]]
_PROVIDERS: list[WorkItemProvider] = []


def register_work_items(provider: WorkItemProvider) -> WorkItemProvider:
    """Add a source of work in hand to the staff home (from an app's ready()).

    The provider receives the staff user, the branch a head office picked (None:
    all it may see) and the time, and must scope its counts with
    guarantees.selectors.staff_scope like the ones below. The planned ones:
    前払金使途内訳明細書 waiting for review, stopped 前払金専用口座, open 保証事故 claims.
    """
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def _amendments_waiting(user: User, branch_id: int | None, now: dt.datetime) -> list[WorkItem]:
    pending = amendment_requests_for_staff(user=user, status="PENDING")
    if branch_id is not None and user.branch_id is None:
        pending = pending.filter(guarantee__branch_id=branch_id)
    figures = pending.order_by().aggregate(n=Count("id"), first=Min("created_at"))
    note = ""
    if figures["first"] is not None:
        note = f"最も古いもの {(business_date(now) - business_date(figures['first'])).days}日前"
    return [
        WorkItem(
            "amendments",
            "承認待ちの変更申請（別の承認者が必要）",
            figures["n"],
            reverse("office:amendment_list"),
            note,
            attention=True,
        )
    ]


def _mails_failing(user: User, branch_id: int | None, now: dt.datetime) -> list[WorkItem]:
    mails = outbox_for_staff(user=user)
    if branch_id is not None and user.branch_id is None:
        mails = mails.filter(
            Exists(Guarantee.objects.filter(pk=OuterRef("object_pk"), branch_id=branch_id)), object_type="Guarantee"
        )
    figures = mails.order_by().aggregate(
        failed=Count("id", filter=Q(status=OutboxStatus.FAILED)),
        retrying=Count("id", filter=Q(status=OutboxStatus.PENDING, attempts__gt=0)),
    )
    url = reverse("office:outbox")
    return [
        WorkItem(
            "mails_failed", "送信失敗のメール（再送中止）", figures["failed"], f"{url}?status=FAILED", attention=True
        ),
        WorkItem("mails_retrying", "再送中のメール", figures["retrying"], f"{url}?status=PENDING"),
    ]


def _webhooks_failing(user: User, branch_id: int | None, now: dt.datetime) -> list[WorkItem]:
    owner = webhook_owner_for(user)
    if owner is None:
        return []  # only the head office's 管理者 sees and resends the surety's webhooks
    deliveries = webhook_deliveries_for(owner=owner, status=DeliveryStatus.FAILED)
    if branch_id is not None:
        deliveries = deliveries.filter(guarantee__branch_id=branch_id)
    return [
        WorkItem(
            "webhooks_failed",
            "送信失敗のWebhook（再送中止）",
            deliveries.order_by().count(),
            reverse("office:webhooks"),
            attention=True,
        )
    ]


def _lockouts_today(user: User, branch_id: int | None, now: dt.datetime) -> list[WorkItem]:
    alerts = lockout_alerts_for_staff(user=user).filter(at__gte=tokyo_midnight(business_date(now)))
    if branch_id is not None and user.branch_id is None:
        branch_guarantees = (
            Guarantee.objects.filter(surety_id=user.surety_id, branch_id=branch_id)
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        alerts = alerts.filter(object_type="Guarantee", object_id__in=Subquery(branch_guarantees))
    return [
        WorkItem(
            "lockouts",
            "本日の照合ロック（認証キーの誤り）",
            alerts.order_by().count(),
            reverse("office:alerts"),
            attention=True,
        )
    ]


for _provider in (_amendments_waiting, _mails_failing, _webhooks_failing, _lockouts_today):
    register_work_items(_provider)


def work_items(*, user: User, now: dt.datetime, branch_id: int | None = None) -> list[WorkItem]:
    if staff_scope(user) is None:
        return []
    if user.branch_id is not None:
        branch_id = None
    items: list[WorkItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user, branch_id, now))
    return items
