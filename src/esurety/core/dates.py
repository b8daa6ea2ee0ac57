"""The business dates esurety accepts: one range for every form, the bulk import and the API.

A 契約締結日, 工事末日, 入金日 or 変更日 outside this range is a typing accident
(1800-01-01, 9999-12-31), not a contract: it is refused beside its field and
nothing is written. The range lies inside the 和暦 table (core.wareki), so
every accepted date can be printed on a certificate.
"""

from __future__ import annotations

import datetime as dt

FIRST_BUSINESS_DAY = dt.date(2000, 1, 1)
LAST_BUSINESS_DAY = dt.date(2099, 12, 31)
RANGE_TEXT = "2000年1月1日から2099年12月31日まで"


def is_business_date(day: dt.date) -> bool:
    return FIRST_BUSINESS_DAY <= day <= LAST_BUSINESS_DAY


def business_date_error(day: dt.date, *, label: str = "日付") -> str | None:
    """The Japanese message for a date outside the range, or None when the date is accepted."""
    if is_business_date(day):
        return None
    return f"{label}は{RANGE_TEXT}の日付にしてください。"
