"""The orderer home's figures (保証確認サービス): only what its organisation received
(verification.selectors): certificates by state, expiring, changes this month, activity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q

from esurety.core.clock import business_date
from esurety.dashboards.periods import (
    add_months,
    last_months,
    month_start,
    tokyo_midnight,
)
from esurety.guarantees.models import (
    Amendment,
    GuaranteeStatus,
)
from esurety.parties.models import OrdererDepartment, User
from esurety.parties.permissions import can_manage_members
from esurety.verification.models import NoticeDispatch, Receipt, ViewKind, ViewRecord
from esurety.verification.selectors import ReceiptStatus, receipts_for_orderer

# ---------------------------------------------------------------------------
# Orderer (保証確認サービス)


@dataclass(frozen=True)
class StateCount:
    label: str
    count: int


def received_by_state(*, user: User, today: dt.date) -> list[StateCount]:
    """The orderer's received certificates by the status its 受領済み一覧 shows, in that list's order."""
    live = Q(guarantee__status=GuaranteeStatus.ACTIVE, guarantee__period_end__gte=today)
    conditions = {
        ReceiptStatus.VALID: live & Q(guarantee__current_version__lte=F("last_seen_version")),
        ReceiptStatus.AMENDED: live & Q(guarantee__current_version__gt=F("last_seen_version")),
        ReceiptStatus.CANCELLED: Q(guarantee__status=GuaranteeStatus.CANCELLED),
        ReceiptStatus.EXPIRED: Q(guarantee__status=GuaranteeStatus.EXPIRED)
        | Q(guarantee__status=GuaranteeStatus.ACTIVE, guarantee__period_end__lt=today),
        ReceiptStatus.COMPLETED: Q(guarantee__status=GuaranteeStatus.COMPLETED),
        ReceiptStatus.CLAIMED: Q(guarantee__status=GuaranteeStatus.CLAIMED),
        ReceiptStatus.PAID_OUT: Q(guarantee__status=GuaranteeStatus.PAID_OUT),
    }
    counts = (
        receipts_for_orderer(user=user)
        .order_by()
        .aggregate(**{f"s{i}": Count("id", filter=c) for i, c in enumerate(conditions.values())})
    )
    return [StateCount(label, counts[f"s{i}"]) for i, label in enumerate(conditions)]


EXPIRY_WINDOWS = (30, 60, 90)


@dataclass(frozen=True)
class Expiring:
    receipt: Receipt
    days_left: int

    @property
    def window(self) -> int:
        """30, 60 or 90: the first window the period's end falls in."""
        return next(w for w in EXPIRY_WINDOWS if self.days_left <= w)


def expiring_for_orderer(*, user: User, today: dt.date, within: int = 90) -> list[Expiring]:
    """Received guarantees still in force whose 保証期間 ends within `within` days, soonest first."""
    receipts = (
        receipts_for_orderer(user=user)
        .filter(
            guarantee__status=GuaranteeStatus.ACTIVE,
            guarantee__period_end__gte=today,
            guarantee__period_end__lte=today + dt.timedelta(days=within),
        )
        .order_by("guarantee__period_end", "guarantee__number")
    )
    return [Expiring(r, (r.guarantee.period_end - today).days) for r in receipts]


@dataclass(frozen=True)
class ChangeReceived:
    at: dt.datetime
    receipt: Receipt
    label: str
    detail: str


def changes_this_month(*, user: User, today: dt.date) -> list[ChangeReceived]:
    """Amendments and cancellations of received guarantees since the 1st of this month, newest first."""
    since = tokyo_midnight(month_start(today))
    receipts = {
        r.guarantee_id: r
        for r in receipts_for_orderer(user=user)
        .filter(Q(guarantee__amendments__created_at__gte=since) | Q(guarantee__cancelled_at__gte=since))
        .distinct()
    }
    if not receipts:
        return []
    changes: list[ChangeReceived] = []
    amendments = Amendment.objects.filter(guarantee_id__in=list(receipts), created_at__gte=since).select_related(
        "certificate"
    )
    for a in amendments:
        receipt = receipts[a.guarantee_id]
        if a.certificate is not None:
            detail = f"変更証書 第{a.certificate.version}版"
        else:
            detail = f"保証期間 {a.after.get('completion_date', '')}" if isinstance(a.after, dict) else ""
        changes.append(ChangeReceived(a.created_at, receipt, a.get_amendment_type_display(), detail))
    for receipt in receipts.values():
        cancelled = receipt.guarantee.cancelled_at
        if cancelled is not None and cancelled >= since:
            changes.append(ChangeReceived(cancelled, receipt, "解約", ""))
    changes.sort(key=lambda c: (c.at, c.receipt.guarantee.number), reverse=True)
    return changes


@dataclass(frozen=True)
class DepartmentFigures:
    name: str
    kinds: str
    notices: int  # guarantees whose 認証キー等のお知らせ was sent to this department
    verified: int  # of those, verified by the orderer
    last_notice_at: dt.datetime | None
    oldest_unverified_at: dt.datetime | None

    @property
    def unverified(self) -> int:
        return self.notices - self.verified


@dataclass(frozen=True)
class PersonFigures:
    label: str
    verified_this_month: int
    verified_total: int
    last_verified_at: dt.datetime | None


@dataclass(frozen=True)
class OrdererActivity:
    departments: list[DepartmentFigures]
    people: list[PersonFigures]


def orderer_activity(*, user: User, today: dt.date) -> OrdererActivity | None:
    """For the orderer's 管理者: which department was sent which notices and what was verified, and by whom.

    None for anyone else (a plain user sees only the certificates, not colleagues' work).
    """
    # The orderer's 管理者: the one rule (accounts.services) that also lets them manage members.
    if user.orderer_id is None or not can_manage_members(user):
        return None
    orderer_id = user.orderer_id
    verified = Receipt.objects.filter(orderer_id=orderer_id, guarantee_id=OuterRef("guarantee_id"))
    dispatches = (
        NoticeDispatch.objects.filter(guarantee__orderer_id=orderer_id, department__isnull=False)
        .annotate(is_verified=Exists(verified))
        .values_list("department_id", "guarantee_id", "sent_at", "is_verified")
    )
    per_department: dict[int, dict[int, tuple[dt.datetime, bool]]] = defaultdict(dict)
    for department_id, guarantee_id, sent_at, is_verified in dispatches:
        seen = per_department[department_id].get(guarantee_id)
        # A notice sent twice counts once, at its first sending.
        if seen is None or sent_at < seen[0]:
            per_department[department_id][guarantee_id] = (sent_at, is_verified)
    departments = []
    for d in OrdererDepartment.objects.filter(orderer_id=orderer_id).order_by("name"):
        notices = per_department.get(d.pk, {})
        unverified = [at for at, ok in notices.values() if not ok]
        departments.append(
            DepartmentFigures(
                name=d.name,
                kinds=d.kinds_display,
                notices=len(notices),
                verified=sum(1 for _, ok in notices.values() if ok),
                last_notice_at=max((at for at, _ in notices.values()), default=None),
                oldest_unverified_at=min(unverified, default=None),
            )
        )
    since = tokyo_midnight(month_start(today))
    views = (
        ViewRecord.objects.filter(receipt__orderer_id=orderer_id, kind=ViewKind.VERIFY)
        .values("user_id")
        .annotate(
            total=Count("id"),
            this_month=Count("id", filter=Q(at__gte=since)),
            last=Max("at"),
        )
        .order_by("-this_month", "-total")
    )
    rows = list(views)
    people_by_pk = {u.pk: u for u in User.objects.filter(pk__in=[r["user_id"] for r in rows])}
    people = []
    for r in rows:
        person = people_by_pk.get(r["user_id"])
        label = (person.display_name or person.username) if person else "（削除された利用者）"
        people.append(PersonFigures(label, r["this_month"], r["total"], r["last"]))
    return OrdererActivity(departments=departments, people=people)


def receipts_per_month(*, user: User, today: dt.date, months: int = 12) -> list[tuple[dt.date, int]]:
    """Certificates first verified per month (the orderer's own intake), oldest first."""
    first = add_months(month_start(today), -(months - 1))
    counts: dict[dt.date, int] = {m: 0 for m in last_months(today, months)}
    for at in (
        receipts_for_orderer(user=user)
        .filter(first_verified_at__gte=tokyo_midnight(first))
        .values_list("first_verified_at", flat=True)
    ):
        key = month_start(business_date(at))
        if key in counts:
            counts[key] += 1
    return list(counts.items())
