"""Reads that decide who may see what. Portals read only through these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from esurety.core.normalize import normalize_guarantee_number
from esurety.guarantees.models import Application, Certificate, Guarantee
from esurety.parties.models import STAFF_ROLES, User


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
    if text:
        if mode == SearchMode.NUMBER:
            qs = qs.filter(number__startswith=normalize_guarantee_number(text))
        elif mode == SearchMode.ORDERER:
            qs = qs.filter(orderer__name__contains=text)
        elif mode == SearchMode.WORK_NAME:
            qs = qs.filter(work_name__contains=text)
        else:
            qs = qs.filter(
                Q(number__startswith=normalize_guarantee_number(text))
                | Q(orderer__name__contains=text)
                | Q(work_name__contains=text)
            )
    return qs.order_by("-latest_issued_on", "-number")


def guarantee_for_contractor(*, user: User, number: str) -> Guarantee | None:
    return (
        guarantees_for_contractor(user=user)
        .select_related("surety", "branch", "contractor")
        .filter(number=normalize_guarantee_number(number))
        .first()
    )


def certificate_versions(*, guarantee: Guarantee) -> QuerySet[Certificate]:
    return guarantee.certificates.order_by("-version")


def applications_for_contractor(*, user: User) -> QuerySet[Application]:
    if user.contractor_id is None or not user.is_active:
        return Application.objects.none()
    return Application.objects.filter(contractor_id=user.contractor_id).select_related("orderer", "surety")


def _staff_scope(user: User) -> Q | None:
    if user.surety_id is None or user.role not in STAFF_ROLES or not user.is_active:
        return None
    scope = Q(surety_id=user.surety_id)
    if user.branch_id is not None:
        scope &= Q(branch_id=user.branch_id)
    return scope


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
