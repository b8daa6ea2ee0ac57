"""Who hears of a change to a guarantee, and the words every such mail shares.

Mails are queued in the outbox inside the change's transaction, so a mail exists iff the change did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from esurety.guarantees.models import Guarantee
from esurety.notifications.services import outbox_enqueue


def contractor_recipients(guarantee: Guarantee) -> list[str]:
    return list(guarantee.contractor.users.filter(is_active=True).exclude(email="").values_list("email", flat=True))


def common_context(g: Guarantee) -> dict[str, Any]:
    return {
        "surety_name": g.surety.name,
        "contractor_name": g.contractor.name,
        "orderer_name": g.orderer.name,
        "kind_full_name": g.kind_full_name,
        "number": g.number,
        "work_name": g.work_name,
    }


@dataclass(frozen=True)
class OrdererRecipient:
    """Where one orderer that verified the guarantee is told about a change."""

    orderer_name: str
    department_name: str
    address: str


def receipt_orderer_recipients(guarantee: Guarantee) -> list[OrdererRecipient]:
    """Each orderer organisation that verified the guarantee, through its departments for the kind.

    An orderer with no department for this kind is told through the person who
    first verified the certificate, so no orderer who holds it is left uninformed.
    """
    out: list[OrdererRecipient] = []
    receipts = guarantee.receipts.select_related("orderer", "first_verified_by").order_by("first_verified_at")
    for receipt in receipts:
        orderer = receipt.orderer
        departments = [d for d in orderer.departments.order_by("name") if d.handles(guarantee.kind) and d.email]
        if departments:
            out.extend(OrdererRecipient(orderer.name, d.name, d.email) for d in departments)
        else:
            person = receipt.first_verified_by
            if person.is_active and person.email:
                out.append(OrdererRecipient(orderer.name, person.display_name or "ご担当者", person.email))
    return out


def notify_parties(*, g: Guarantee, template: str, context: dict[str, Any], now: dt.datetime) -> int:
    """One message per address (no recipient sees another's): contractor users, then orderers."""
    sent = 0
    base = {**common_context(g), **context}
    for address in contractor_recipients(g):
        outbox_enqueue(
            template=template,
            to=[address],
            context={**base, "for_orderer": False, "recipient_name": f"{g.contractor.name} 様"},
            at=now,
            obj=g,
        )
        sent += 1
    for r in receipt_orderer_recipients(g):
        outbox_enqueue(
            template=template,
            to=[r.address],
            context={**base, "for_orderer": True, "recipient_name": f"{r.orderer_name} {r.department_name} 御中"},
            at=now,
            obj=g,
        )
        sent += 1
    return sent
