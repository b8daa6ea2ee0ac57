"""Types shared by every schema of the API: safe text, bounded numbers and dates, code + label."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from esurety.core.clock import TOKYO
from esurety.core.dates import FIRST_BUSINESS_DAY, LAST_BUSINESS_DAY, RANGE_TEXT
from esurety.core.text import text_error

# Yen amounts are BigIntegerField: bounded well inside 64 bits (and any real contract).
MAX_YEN = 999_999_999_999_999
MAX_ID = 2**63 - 1
# The business date range of every form and the bulk import (core.dates).
FIRST_DAY = FIRST_BUSINESS_DAY
LAST_DAY = LAST_BUSINESS_DAY
NUMBER_PATTERN = r"^[0-9]{10}$"
# The leaflet's own 保証契約番号, as the documented example.
NUMBER_EXAMPLE = "2070004426"


def _clean_text(value: str) -> str:
    # The rule of every form and the bulk import (core.text): NUL (PostgreSQL refuses it),
    # lone surrogates (cannot be encoded), bidi overrides and zero-width characters are a 422.
    # Line breaks pass here; a single-line field (工事名) is checked again by the rules.
    message = text_error(value, multiline=True)
    if message is not None:
        raise PydanticCustomError("text_character", message)
    return value


# Strict where JSON has the type itself: "100" is not a number, "yes" not a boolean, 1 not a text.
Text = Annotated[StrictStr, AfterValidator(_clean_text)]
Flag = StrictBool

_DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME_TEXT = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)


def _date_text(value: object) -> object:
    # pydantic would also read numbers as Unix times; a date is written 2026-04-10.
    if isinstance(value, str) and _DATE_TEXT.match(value):
        return value
    raise PydanticCustomError("date_text", "日付（例: 2026-04-10）で指定してください。")


def _datetime_text(value: object) -> object:
    if isinstance(value, str) and _DATETIME_TEXT.match(value):
        return value
    raise PydanticCustomError("datetime_text", "日時（例: 2026-04-01T09:00:00+09:00）で指定してください。")


def _check_day(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_range", f"日付は{RANGE_TEXT}で指定してください。")
    return value


Day = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_check_day)]


def _in_utc(value: dt.datetime) -> dt.datetime:
    # A time without an offset is Japanese time; any offset is folded into UTC here, since
    # PostgreSQL refuses offsets beyond ±16 hours that ISO 8601 allows.
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise PydanticCustomError("date_range", "日時は2000年から2099年までで指定してください。")
    return value.astimezone(dt.UTC)


Moment = Annotated[dt.datetime, BeforeValidator(_datetime_text), AfterValidator(_in_utc)]
Yen = Annotated[StrictInt, Field(ge=0, le=MAX_YEN)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class CodeLabel(Schema):
    """A value of a vocabulary: the stable code for programs and the Japanese label for people."""

    code: str
    label: str


class ErrorOut(Schema):
    """Every error: a stable code, a Japanese message, and the fields concerned when there are any."""

    code: str
    message: str
    fields: dict[str, list[str]] | None = None


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    return {code: ErrorOut for code in codes}
