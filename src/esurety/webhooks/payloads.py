"""What a webhook says about a guarantee: the facts on its certificate, never its access key."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from esurety.core.clock import TOKYO
from esurety.core.kinds import DeliveryMethod
from esurety.guarantees.models import Amendment, AmendmentType, Guarantee


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.tzinfo is not None:
            return o.astimezone(TOKYO).isoformat()
        return super().default(o)


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


def event_payload(
    *, event_id: uuid.UUID, event: str, guarantee: Guarantee, now: dt.datetime, extra: dict[str, Any] | None
) -> dict[str, Any]:
    data = guarantee_data(guarantee)
    if extra:
        # Dates and Decimals from the caller become JSON text now, as stored and as signed.
        data.update(json.loads(json.dumps(extra, cls=_Encoder, ensure_ascii=False)))
    return {
        "id": str(event_id),
        "type": event,
        "created_at": now.astimezone(TOKYO).isoformat(),
        "data": data,
    }


def payload_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are sent and signed: sorted keys, so every retry sends the same body."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
