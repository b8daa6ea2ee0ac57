"""Searching the audit log: staff see the entries of their own surety only."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from esurety.audit.models import AuditEntry
from esurety.core.clock import TOKYO
from esurety.core.normalize import normalize_guarantee_number
from esurety.guarantees.models import Certificate, Guarantee
from esurety.parties.models import STAFF_ROLES, User


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TOKYO)


def audit_entries_for_staff(
    *,
    user: User,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    actor: str = "",
    action: str = "",
    target: str = "",
) -> QuerySet[AuditEntry]:
    """Entries of the user's surety, newest first, narrowed by date (Tokyo days), actor, action and target.

    `target` is a 保証契約番号 (finds the guarantee, its certificates, its
    application and entries that name the number) or an object ID.
    """
    if user.surety_id is None or user.role not in STAFF_ROLES or not user.is_active:
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.filter(surety_id_scope=user.surety_id)
    if date_from is not None:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to is not None:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if actor.strip():
        qs = qs.filter(actor_label__icontains=actor.strip())
    if action.strip():
        text = action.strip()
        qs = qs.filter(action__startswith=text) if text.endswith(".") else qs.filter(action=text)
    if target.strip():
        qs = qs.filter(_target_condition(user, target.strip()))
    return qs.order_by("-at", "-id")


def _target_condition(user: User, text: str) -> Q:
    number = normalize_guarantee_number(text)
    condition = Q(object_id=text) | Q(object_id=number) | Q(after__number=number) | Q(before__number=number)
    found = list(Guarantee.objects.filter(number=number, surety_id=user.surety_id).values_list("pk", "application_id"))
    if found:
        guarantee_ids = [str(pk) for pk, _ in found]
        application_ids = [str(app) for _, app in found if app is not None]
        certificate_ids = [
            str(pk)
            for pk in Certificate.objects.filter(guarantee_id__in=[pk for pk, _ in found]).values_list("pk", flat=True)
        ]
        condition |= (
            Q(object_type="Guarantee", object_id__in=guarantee_ids)
            | Q(object_type="Application", object_id__in=application_ids)
            | Q(object_type="Certificate", object_id__in=certificate_ids)
        )
    return condition


LOCKOUT_ACTION = "verify.lockout"


def lockout_alerts_for_staff(*, user: User) -> QuerySet[AuditEntry]:
    """Verification lockouts (verification.services writes them) on the user's surety's guarantees."""
    qs = audit_entries_for_staff(user=user, action=LOCKOUT_ACTION)
    if user.branch_id is not None:
        branch_guarantees = (
            Guarantee.objects.filter(surety_id=user.surety_id, branch_id=user.branch_id)
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        qs = qs.filter(object_type="Guarantee", object_id__in=Subquery(branch_guarantees))
    return qs.select_related("actor", "actor__orderer")
