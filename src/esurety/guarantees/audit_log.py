"""Searching the audit log for the office pages and the staff home: staff see the entries of their
own surety (and the changes of the shared orderers' data), and staff bound to a branch only those
about their branch's business. Here, not in audit: the scope needs guarantees and staff, which sit
above the audit app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from esurety.audit.models import AuditEntry
from esurety.core.clock import TOKYO
from esurety.core.normalize import normalize_guarantee_number
from esurety.guarantees.models import Certificate, Guarantee
from esurety.parties.models import User
from esurety.parties.permissions import is_active_staff

# What every staff member of the surety sees on the office pages, whatever their branch.
SURETY_WIDE_TYPES = ("Orderer", "PremiumRate", "UsageApplication")


def _scoped(qs: QuerySet[AuditEntry], user: User) -> QuerySet[AuditEntry]:
    """Staff bound to a branch: their branch's entries (AuditEntry.branch_id_scope), the
    surety-wide ones their pages show too, and whatever else their branch's own staff did
    (an orderer's API token, say). Not another branch's, nor the head office's own settings."""
    if user.branch_id is None:
        return qs
    branch_staff = User.objects.filter(surety_id=user.surety_id, branch_id=user.branch_id).values("pk")
    return qs.filter(
        Q(branch_id_scope=user.branch_id)
        | Q(branch_id_scope__isnull=True, object_type__in=SURETY_WIDE_TYPES)
        | Q(branch_id_scope__isnull=True, actor_id__in=branch_staff)
    )


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
    if not is_active_staff(user):
        return AuditEntry.objects.none()
    # Orderers are shared by the sureties (parties.services), and so are the changes of their
    # data: every surety whose notices go through an orderer sees who changed it, whichever
    # surety (or the orderer itself) did.
    qs = _scoped(AuditEntry.objects.filter(Q(surety_id_scope=user.surety_id) | Q(object_type="Orderer")), user)
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
    found = list(
        Guarantee.objects.filter(number=number, surety_id=user.surety_id)
        .filter(Q(branch_id=user.branch_id) if user.branch_id is not None else Q())
        .values_list("pk", "application_id")
    )
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
    """Verification lockouts (verification.services writes them) on the user's surety's guarantees
    (of the user's branch for branch staff: the scope of audit_entries_for_staff)."""
    return audit_entries_for_staff(user=user, action=LOCKOUT_ACTION).select_related("actor", "actor__orderer")
