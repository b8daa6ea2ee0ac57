"""Every operation on a guarantee's 認証キー: create, reissue, read in plain text, check."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError
from esurety.core.kinds import DeliveryMethod
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import AccessKey, Guarantee
from esurety.guarantees.services.issuance import access_key_create
from esurety.guarantees.services.mail import common_context, contractor_recipients
from esurety.guarantees.services.steps import lock_guarantee, require_guarantee_active
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import User
from esurety.parties.permissions import require_staff


@transaction.atomic
def access_key_reissue(*, guarantee: Guarantee, by: User, now: dt.datetime) -> AccessKey:
    """Revoke the active key at once and create a new one; the contractor reads it in the portal.

    Orderers who already verified keep their access: receipts belong to the
    orderer organisation, not to a key. Neither the staff nor the mail ever see
    the new key.
    """
    g = lock_guarantee(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if g.delivery_method != DeliveryMethod.ELECTRONIC:
        raise InvalidStateError(f"保証契約 {g.number} は書面交付のため、認証キーはありません。")
    require_guarantee_active(g, "認証キーを再発行")
    old = list(AccessKey.objects.select_for_update().filter(guarantee=g, revoked_at__isnull=True))
    AccessKey.objects.filter(pk__in=[k.pk for k in old]).update(revoked_at=now)
    access_key_create(guarantee=g, by=by, now=now)
    new = AccessKey.objects.get(guarantee=g, revoked_at__isnull=True)
    audit_record(
        actor=by,
        action="access_key.reissue",
        obj=g,
        at=now,
        before={"key_ids": [k.pk for k in old]},
        after={"key_id": new.pk, "number": g.number},
        surety_id=g.surety_id,
    )
    context = {**common_context(g), "reissued_on": format_wareki(business_date(now), padded=False)}
    for address in contractor_recipients(g):
        outbox_enqueue(template="access_key_reissued", to=[address], context=context, at=now, obj=g)
    return new
