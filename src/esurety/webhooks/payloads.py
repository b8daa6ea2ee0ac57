"""The envelope of a webhook event (id, type, time, data) and the exact bytes that are signed.

What the data says about a guarantee is chosen in guarantees/events.py.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from esurety.core.clock import TOKYO


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.tzinfo is not None:
            return o.astimezone(TOKYO).isoformat()
        return super().default(o)


def event_payload(
    *, event_id: uuid.UUID, event: str, data: dict[str, Any], now: dt.datetime, extra: dict[str, Any] | None
) -> dict[str, Any]:
    data = dict(data)
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
