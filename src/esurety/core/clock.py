"""Business dates are Tokyo dates, whatever the server's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

TOKYO = ZoneInfo("Asia/Tokyo")


def now() -> dt.datetime:
    return timezone.now()


def business_date(at: dt.datetime | None = None) -> dt.date:
    return (at or timezone.now()).astimezone(TOKYO).date()
