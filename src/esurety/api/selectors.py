"""Reads of the api app: the changes to an orderer's received certificates since a moment
(tokens: integrations.selectors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from esurety.guarantees.models import Amendment, AmendmentType, Certificate, Guarantee
from esurety.parties.models import User
from esurety.verification.models import Receipt

# ---------------------------------------------------------------------------
# What changed on an orderer's received certificates (GET /changes)


@dataclass(frozen=True)
class ChangeEvent:
    id: str
    guarantee: Guarantee
    event: str  # a key of CHANGE_EVENTS
    at: dt.datetime
    version: int | None
    effective_on: dt.date | None
    reason: str
    changes: list[dict[str, Any]]


CHANGE_EVENTS = {
    "AMENDED": "金額の変更（変更の保証証書を発行）",
    "PERIOD_CHANGED": "工期の変更（保証期間の変更）",
    "CANCELLED": "解約",
}
_AMOUNT_FIELDS = (("contract_price", "請負金額(総額)"), ("guaranteed_amount", "保証金額"))
_PERIOD_FIELDS = (("completion_date", "工事末日"), ("period_end", "保証期間"))


def _diff(before: object, after: object, fields: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    b = before if isinstance(before, dict) else {}
    a = after if isinstance(after, dict) else {}
    return [
        {"field": name, "label": label, "before": b.get(name), "after": a.get(name)}
        for name, label in fields
        if b.get(name) != a.get(name)
    ]


def changes_for_orderer(
    *, user: User, since: dt.datetime, until: dt.datetime, limit: int
) -> tuple[list[ChangeEvent], bool]:
    """New versions, 工期 changes and cancellations of the certificates the user's organisation
    received, in [since, until), oldest first; at most ``limit``, and whether more are waiting.

    Each source is read no further than limit + 1 rows, so the first ``limit``
    of their merge are exact.
    """
    if user.orderer_id is None or not user.is_active:
        return [], False
    received = Receipt.objects.filter(orderer_id=user.orderer_id).values("guarantee_id")
    events: list[ChangeEvent] = []
    versions = (
        Certificate.objects.filter(
            guarantee_id__in=received, is_amendment=True, issued_at__gte=since, issued_at__lt=until
        )
        .select_related("guarantee", "amendment")
        .order_by("issued_at", "pk")[: limit + 1]
    )
    for c in versions:
        amendment = getattr(c, "amendment", None)
        events.append(
            ChangeEvent(
                id=f"version-{c.pk}",
                guarantee=c.guarantee,
                event="AMENDED",
                at=c.issued_at,
                version=c.version,
                effective_on=amendment.effective_on if amendment else None,
                reason=amendment.reason if amendment else "",
                changes=_diff(amendment.before, amendment.after, _AMOUNT_FIELDS) if amendment else [],
            )
        )
    periods = (
        Amendment.objects.filter(
            guarantee_id__in=received,
            amendment_type=AmendmentType.PERIOD,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related("guarantee")
        .order_by("created_at", "pk")[: limit + 1]
    )
    for a in periods:
        events.append(
            ChangeEvent(
                id=f"period-{a.pk}",
                guarantee=a.guarantee,
                event="PERIOD_CHANGED",
                at=a.created_at,
                version=None,
                effective_on=a.effective_on,
                reason=a.reason,
                changes=_diff(a.before, a.after, _PERIOD_FIELDS),
            )
        )
    cancelled = Guarantee.objects.filter(pk__in=received, cancelled_at__gte=since, cancelled_at__lt=until).order_by(
        "cancelled_at", "pk"
    )[: limit + 1]
    for g in cancelled:
        assert g.cancelled_at is not None  # filtered above
        events.append(
            ChangeEvent(
                id=f"cancel-{g.pk}",
                guarantee=g,
                event="CANCELLED",
                at=g.cancelled_at,
                version=None,
                effective_on=None,
                reason="",
                changes=[],
            )
        )
    events.sort(key=lambda e: (e.at, e.id))
    return events[:limit], len(events) > limit
