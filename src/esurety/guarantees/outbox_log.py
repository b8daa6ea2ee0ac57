"""Which outbox messages a surety's staff may see (office pages, staff home): those about their own
guarantees and imports. Here, not in notifications: the scope needs guarantees, above that app.

Password, invitation and 利用申込 mails are about users, not guarantees: they
are never listed (their links must not be read by colleagues).
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from esurety.guarantees.models import Guarantee, ImportBatch
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import User
from esurety.parties.permissions import is_active_staff

SCOPED_TYPES = ("Guarantee", "ImportBatch")


def outbox_for_staff(*, user: User, status: str = "") -> QuerySet[OutboxMessage]:
    if not is_active_staff(user):
        return OutboxMessage.objects.none()
    # object_id is text (it names rows of several tables). CASE casts it only for the
    # types whose ids are numbers, so no other row is ever cast (PostgreSQL would fail).
    object_pk = Case(
        When(object_type__in=SCOPED_TYPES, then=Cast("object_id", BigIntegerField())),
        default=Value(None),
        output_field=BigIntegerField(),
    )
    guarantees = Guarantee.objects.filter(pk=OuterRef("object_pk"), surety_id=user.surety_id)
    batches = ImportBatch.objects.filter(pk=OuterRef("object_pk"), surety_id=user.surety_id)
    if user.branch_id is not None:
        guarantees = guarantees.filter(branch_id=user.branch_id)
        batches = batches.filter(uploaded_by__branch_id=user.branch_id)
    qs = (
        OutboxMessage.objects.filter(object_type__in=SCOPED_TYPES)
        .annotate(object_pk=object_pk)
        .filter(Q(Exists(guarantees), object_type="Guarantee") | Q(Exists(batches), object_type="ImportBatch"))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.defer("body_text", "body_html").order_by("-created_at", "-id")
