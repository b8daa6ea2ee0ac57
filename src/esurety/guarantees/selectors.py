"""Reads that decide who may see what. Portals read only through these."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from esurety.audit.models import AuditEntry
from esurety.core.normalize import (
    is_guarantee_number,
    is_statement_number,
    normalize_guarantee_number,
    normalize_search_text,
)
from esurety.guarantees.models import (
    Amendment,
    AmendmentRequest,
    AmendmentType,
    Application,
    ApplicationStatus,
    Certificate,
    Guarantee,
    PremiumStatement,
)
from esurety.parties.models import User
from esurety.parties.permissions import is_active_staff


class SearchMode:
    ALL = "all"
    NUMBER = "number"
    ORDERER = "orderer"
    WORK_NAME = "work_name"
    CHOICES = (ALL, NUMBER, ORDERER, WORK_NAME)


def guarantees_for_contractor(*, user: User, mode: str = SearchMode.ALL, query: str = "") -> QuerySet[Guarantee]:
    """The contractor's own guarantees, newest certificate first (保証工事一覧)."""
    if user.contractor_id is None or not user.is_active:
        return Guarantee.objects.none()
    qs = Guarantee.objects.filter(contractor_id=user.contractor_id).select_related("orderer")
    text = query.strip()
    # 工事名 and 発注者 compare folded (ﾄﾝﾈﾙ finds トンネル, ＡＢＣ finds ABC).
    folded = normalize_search_text(text)
    if text:
        if mode == SearchMode.NUMBER:
            qs = qs.filter(number__startswith=normalize_guarantee_number(text))
        elif mode == SearchMode.ORDERER:
            qs = qs.filter(orderer__search_name__contains=folded)
        elif mode == SearchMode.WORK_NAME:
            qs = qs.filter(work_name_search__contains=folded)
        else:
            qs = qs.filter(
                Q(number__startswith=normalize_guarantee_number(text))
                | Q(orderer__search_name__contains=folded)
                | Q(work_name_search__contains=folded)
            )
    return qs.order_by("-latest_issued_on", "-number")


def guarantee_for_contractor(*, user: User, number: str) -> Guarantee | None:
    number = normalize_guarantee_number(number)
    if not is_guarantee_number(number):
        return None
    return (
        guarantees_for_contractor(user=user)
        .select_related("surety", "branch", "contractor")
        .filter(number=number)
        .first()
    )


def certificate_versions(*, guarantee: Guarantee) -> QuerySet[Certificate]:
    return guarantee.certificates.order_by("-version")


def period_changes_since(*, guarantee: Guarantee, since: dt.datetime) -> QuerySet[Amendment]:
    """工期 changes recorded after a certificate was issued: they move the period without a new version."""
    return guarantee.amendments.filter(amendment_type=AmendmentType.PERIOD, created_at__gte=since).order_by(
        "created_at"
    )


def premium_statements_for_contractor(
    *,
    user: User,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    amount_min: int | None = None,
    amount_max: int | None = None,
    counterparty: str = "",
    statement_type: str = "",
) -> QuerySet[PremiumStatement]:
    """保証料領収書(計算書) and 返還計算書 of the contractor's own guarantees, newest first.

    The search keys are those 電子帳簿保存法 asks for: date, amount and
    counterparty. Seen from the contractor, the counterparty is the surety
    that issued the statement, so 取引先 matches the surety's name.
    """
    if user.contractor_id is None or not user.is_active:
        return PremiumStatement.objects.none()
    qs = PremiumStatement.objects.filter(guarantee__contractor_id=user.contractor_id).select_related(
        "guarantee", "guarantee__surety"
    )
    if issued_from is not None:
        qs = qs.filter(issued_on__gte=issued_from)
    if issued_to is not None:
        qs = qs.filter(issued_on__lte=issued_to)
    if amount_min is not None:
        qs = qs.filter(amount__gte=amount_min)
    if amount_max is not None:
        qs = qs.filter(amount__lte=amount_max)
    if counterparty.strip():
        qs = qs.filter(guarantee__surety__name__contains=counterparty.strip())
    if statement_type:
        qs = qs.filter(statement_type=statement_type)
    return qs.order_by("-issued_on", "-number")


def premium_statement_for_contractor(*, user: User, number: str) -> PremiumStatement | None:
    if not is_statement_number(number):
        return None
    return (
        premium_statements_for_contractor(user=user)
        .select_related("guarantee__branch", "guarantee__contractor", "guarantee__orderer")
        .filter(number=number)
        .first()
    )


def applications_for_contractor(*, user: User) -> QuerySet[Application]:
    if user.contractor_id is None or not user.is_active:
        return Application.objects.none()
    return Application.objects.filter(contractor_id=user.contractor_id).select_related("orderer", "surety")


def _staff_scope(user: User) -> Q | None:
    if not is_active_staff(user):
        return None
    scope = Q(surety_id=user.surety_id)
    if user.branch_id is not None:
        scope &= Q(branch_id=user.branch_id)
    return scope


def staff_scope(user: User) -> Q | None:
    """The office's visibility rule as a filter on `surety_id` / `branch_id` (None: nothing visible).

    For other rooms that keep rows per surety and branch (the dashboards' monthly figures).
    """
    return _staff_scope(user)


def applications_for_staff(*, user: User, status: str | None = None) -> QuerySet[Application]:
    scope = _staff_scope(user)
    if scope is None:
        return Application.objects.none()
    qs = Application.objects.filter(scope).select_related("contractor", "orderer", "branch")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def guarantees_for_staff(*, user: User) -> QuerySet[Guarantee]:
    scope = _staff_scope(user)
    if scope is None:
        return Guarantee.objects.none()
    return Guarantee.objects.filter(scope).select_related("contractor", "orderer", "branch")


def application_for_contractor(*, user: User, pk: int) -> Application | None:
    """One of the contractor's own applications; None for anyone else's (the portal answers 404)."""
    return (
        applications_for_contractor(user=user)
        .select_related("branch", "advance_guarantee", "created_by")
        .filter(pk=pk)
        .first()
    )


def application_history(*, application: Application) -> QuerySet[AuditEntry]:
    """The audit entries of one application, oldest first (its status history).

    The caller has already scoped the application to the user.
    """
    return (
        AuditEntry.objects.filter(object_type=Application.__name__, object_id=str(application.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


# ---------------------------------------------------------------------------
# Back office (staff): everything scoped by _staff_scope — the surety, and the branch for branch staff.


def application_queue_for_staff(*, user: User, status: str = "", branch_id: int | None = None) -> QuerySet[Application]:
    """Submitted applications (never the contractor's drafts), newest first."""
    qs = applications_for_staff(user=user, status=status or None).exclude(status=ApplicationStatus.DRAFT)
    if branch_id is not None:
        qs = qs.filter(branch_id=branch_id)
    return qs


def application_for_staff(*, user: User, pk: int) -> Application | None:
    return (
        application_queue_for_staff(user=user)
        .select_related("surety", "advance_guarantee", "created_by", "reviewed_by")
        .filter(pk=pk)
        .first()
    )


def guarantee_search_for_staff(
    *,
    user: User,
    number: str = "",
    contractor: str = "",
    orderer: str = "",
    work_name: str = "",
    status: str = "",
    branch_id: int | None = None,
) -> QuerySet[Guarantee]:
    qs = guarantees_for_staff(user=user)
    if number.strip():
        qs = qs.filter(number__startswith=normalize_guarantee_number(number))
    if contractor.strip():
        qs = qs.filter(contractor__search_name__contains=normalize_search_text(contractor))
    if orderer.strip():
        qs = qs.filter(orderer__search_name__contains=normalize_search_text(orderer))
    if work_name.strip():
        qs = qs.filter(work_name_search__contains=normalize_search_text(work_name))
    if status:
        qs = qs.filter(status=status)
    if branch_id is not None:
        qs = qs.filter(branch_id=branch_id)
    # (surety, branch, -concluded_at) is indexed for this order.
    return qs.order_by("-concluded_at", "-number")


def guarantee_for_staff(*, user: User, number: str) -> Guarantee | None:
    number = normalize_guarantee_number(number)
    if not is_guarantee_number(number):
        return None
    return (
        guarantees_for_staff(user=user)
        .select_related("surety", "advance_guarantee", "application")
        .filter(number=number)
        .first()
    )


def amendment_requests_for_staff(*, user: User, status: str = "") -> QuerySet[AmendmentRequest]:
    scope = _staff_scope(user)
    if scope is None:
        return AmendmentRequest.objects.none()
    guarantees = Guarantee.objects.filter(scope)
    qs = AmendmentRequest.objects.filter(guarantee__in=guarantees).select_related(
        "guarantee", "guarantee__contractor", "guarantee__orderer", "guarantee__branch", "entered_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def amendment_request_for_staff(*, user: User, pk: int) -> AmendmentRequest | None:
    return amendment_requests_for_staff(user=user).filter(pk=pk).first()


def premium_statement_for_staff(*, user: User, number: str) -> PremiumStatement | None:
    scope = _staff_scope(user)
    if scope is None or not is_statement_number(number):
        return None
    return (
        PremiumStatement.objects.filter(guarantee__in=Guarantee.objects.filter(scope), number=number)
        .select_related("guarantee", "guarantee__surety", "guarantee__orderer")
        .first()
    )
