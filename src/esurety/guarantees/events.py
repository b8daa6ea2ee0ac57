"""The webhook events of a guarantee (発行, 変更, 解約, 発注者の確認, and the advance account's):
what they say and whom they reach.

The webhooks app below takes plain data (event, ids, payload) and writes the delivery rows; the
facts a payload tells about a guarantee are chosen here: those on its certificate, never its
access key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import prefetch_related_objects

from esurety.core.kinds import DeliveryMethod
from esurety.guarantees.models import Amendment, AmendmentType, Guarantee
from esurety.parties.models import Orderer, SuretyCompany
from esurety.webhooks.models import WebhookEvent
from esurety.webhooks.services import (
    webhook_advance_events_queue,
    webhook_event_queue,
    webhook_events_queue_for_surety,
)


def guarantee_data(guarantee: Guarantee) -> dict[str, Any]:
    g = guarantee
    return {
        "number": g.number,
        "kind": g.kind,
        "kind_label": g.get_kind_display(),
        "version": g.current_version,
        "status": g.status,
        "status_label": g.get_status_display(),
        "work_name": g.work_name,
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "period_end": g.period_end.isoformat(),
        "issued_on": g.latest_issued_on.isoformat() if g.latest_issued_on else None,
        "electronic": g.delivery_method == DeliveryMethod.ELECTRONIC,
        "surety": {"name": g.surety.name},
        "orderer": {"name": g.orderer.name},
        "contractor": {"name": g.contractor.name},
    }


def amendment_change(amendment: Amendment) -> dict[str, Any]:
    """An `amended` event's extra data: an amount change (a new (変更) version) or a 工期 change (none)."""
    return {
        "change": "amount" if amendment.amendment_type == AmendmentType.AMOUNT else "period",
        "effective_on": amendment.effective_on,
        "before": amendment.before,
        "after": amendment.after,
    }


def guarantee_event_publish(
    *,
    event: str,
    guarantee: Guarantee,
    now: dt.datetime,
    orderer: Orderer | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """Queue one event for the surety's and the orderer's subscribed endpoints; returns how many.

    Must run inside the transaction of the change: rolled back with it, committed with it.
    ``orderer`` is the orderer told (default: the beneficiary); for ``viewed`` the one who viewed.
    The orderer's endpoints get it only if that orderer has verified the guarantee (a Receipt);
    ``viewed`` runs in the transaction that creates the Receipt, so it is told of that too.
    """
    orderer_id = orderer.pk if orderer is not None else guarantee.orderer_id
    return webhook_event_queue(
        event=event,
        guarantee_id=guarantee.pk,
        surety_id=guarantee.surety_id,
        orderer_id=orderer_id,
        # Computed only when an endpoint listens: most changes reach none.
        data=lambda: guarantee_data(guarantee),
        extra=extra,
        # Receipts (verification) point at the guarantee; asked through the reverse relation so
        # that guarantees need not import the app above it.
        orderer_holds=lambda: guarantee.receipts.filter(orderer_id=orderer_id).exists(),
        now=now,
    )


def advance_events_publish(
    *, event: str, guarantee: Guarantee, bank_id: int, extras: Sequence[dict[str, Any]], now: dt.datetime
) -> int:
    """Queue advance-account events (払出依頼, 払出, 払出停止 …), one per item of ``extras`` (the account,
    the withdrawal, as the advances app gives them), for the surety's and the deposit bank's
    subscribed endpoints; returns how many deliveries. Orderers hear nothing of the account.
    """
    return webhook_advance_events_queue(
        event=event,
        guarantee_id=guarantee.pk,
        surety_id=guarantee.surety_id,
        bank_id=bank_id,
        data=lambda: guarantee_data(guarantee),
        extras=extras,
        now=now,
    )


def guarantees_issued_publish_many(*, surety: SuretyCompany, guarantees: Sequence[Guarantee], now: dt.datetime) -> int:
    """Queue ``issued`` for guarantees concluded in bulk (一括取込); returns how many deliveries.

    The surety's endpoints only: no orderer holds a Receipt for a guarantee that did not exist a
    moment ago. One query when the surety has no such endpoint (the usual case, and the import
    must stay fast); otherwise one bulk insert for the lot.
    """

    def events() -> list[tuple[int, dict[str, Any]]]:
        # The payloads name the parties: one query per kind of party, not per guarantee.
        prefetch_related_objects(list(guarantees), "surety", "orderer", "contractor")
        return [(g.pk, guarantee_data(g)) for g in guarantees]

    if not guarantees:
        return 0
    return webhook_events_queue_for_surety(event=WebhookEvent.ISSUED.value, surety_id=surety.pk, events=events, now=now)
