"""解約 by an approver and 満了 when the period has ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from esurety.core.clock import business_date
from esurety.core.clock import now as clock_now
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.guarantees.services.mail import notify_parties
from esurety.guarantees.services.steps import audited_change, lock_guarantee, require_guarantee_active
from esurety.parties.models import User
from esurety.parties.permissions import require_approver


def _cancellation_snapshot(g: Guarantee) -> dict[str, Any]:
    return {"status": g.status, "cancelled_at": g.cancelled_at.isoformat() if g.cancelled_at else None}


def _status_snapshot(g: Guarantee) -> dict[str, Any]:
    return {"status": g.status}


@transaction.atomic
def guarantee_cancel(*, guarantee: Guarantee, by: User, reason: str, now: dt.datetime) -> Guarantee:
    """解約. The key keeps working: an orderer who checks must see that the guarantee is cancelled.

    No refund is computed: the premium rules for an early end are not public
    and differ per surety, so a 返還計算書 is left to a later, explicit step.
    """
    g = lock_guarantee(guarantee)
    require_approver(by, surety=g.surety, branch=g.branch, entered_by_id=None)
    require_guarantee_active(g, "解約")
    reason = reason.strip()
    if not reason:
        raise DomainError("解約の理由を入力してください。", [RuleViolation("reason", "解約の理由を入力してください。")])
    riders = list(g.riders.filter(status=GuaranteeStatus.ACTIVE).values_list("number", flat=True))
    if riders:
        # An interim or performance guarantee is a rider of the advance guarantee on the same works.
        raise InvalidStateError(
            f"この前払金保証に付随する有効な保証契約（{'、'.join(riders)}）があります。先にそちらを解約してください。"
        )
    audited_change(
        g,
        by=by,
        now=now,
        action="guarantee.cancel",
        changes={"status": GuaranteeStatus.CANCELLED, "cancelled_at": now},
        snapshot=_cancellation_snapshot,
        surety_id=g.surety_id,
        after_extra={"reason": reason},
    )
    guarantee_event_publish(event="cancelled", guarantee=g, now=now, extra={"cancelled_at": now, "reason": reason})
    notify_parties(
        g=g,
        template="guarantee_cancelled",
        context={"cancelled_on": format_wareki(business_date(now), padded=False), "reason": reason},
        now=now,
    )
    return g


EXPIRY_BATCH = 500


def guarantees_expire_due(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """ACTIVE guarantees whose period ended before ``today`` become 保証期間満了; returns how many.

    Batches keep each transaction short on millions of rows; each guarantee gets
    its own audit entry. Safe to run twice or in two processes at once: rows are
    locked and re-checked, so none is expired (or audited) twice.
    """
    at = now or clock_now()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                Guarantee.objects.select_for_update()
                .filter(status=GuaranteeStatus.ACTIVE, period_end__lt=today)
                .order_by("period_end", "pk")[:EXPIRY_BATCH]
            )
            for g in batch:
                audited_change(
                    g,
                    by=None,
                    now=at,
                    action="guarantee.expire",
                    changes={"status": GuaranteeStatus.EXPIRED},
                    snapshot=_status_snapshot,
                    surety_id=g.surety_id,
                    after_extra={"period_end": g.period_end.isoformat()},
                )
        done += len(batch)
        if len(batch) < EXPIRY_BATCH:
            return done
