"""Form fields every portal shares: free text, dates and yen amounts, each with the one policy of core.

A field here refuses what the domain would refuse (a date outside the business
range, a control character in a name, a 5,000-digit amount) with a Japanese
message beside the field, so that nothing reaches a service, a query or a
template that could turn it into a 500.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from esurety.core.dates import FIRST_BUSINESS_DAY, LAST_BUSINESS_DAY, business_date_error
from esurety.core.money import format_yen
from esurety.core.normalize import parse_ascii_int
from esurety.core.text import TextValidator

# BIGINT upper bound; anything near it is a typing accident, not a contract price.
MAX_YEN = 999_999_999_999_999
_YEN_NOISE = re.compile(r"[\s,、円¥\\]")


class TextField(forms.CharField):
    """Free text (a name, a 工事名, a reason, a search word) without control characters.

    Line breaks are allowed only when the widget is a textarea; NUL, bidi
    overrides and zero-width characters never (core.text).
    """

    def __init__(self, *, multiline: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.multiline = isinstance(self.widget, forms.Textarea) if multiline is None else multiline
        # core.text names NUL itself, in Japanese; Django's own validator would say it twice.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators.append(TextValidator(multiline=self.multiline))


class BusinessDateField(forms.DateField):
    """A date from <input type="date">, or typed as 2026/04/10 in full- or half-width,
    within the business date range (core.dates)."""

    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]

    def __init__(self, **kwargs: Any) -> None:
        # min/max: the browser's date picker offers the same range the server accepts.
        attrs = {"type": "date", "min": FIRST_BUSINESS_DAY.isoformat(), "max": LAST_BUSINESS_DAY.isoformat()}
        kwargs.setdefault("widget", forms.DateInput(attrs=attrs, format="%Y-%m-%d"))
        messages = {"invalid": "日付は 2026-04-10 または 2026/04/10 の形で入力してください。"}
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date):
            message = business_date_error(value, label=str(self.label or "日付"))
            if message is not None:
                raise ValidationError(message, code="date_range")


class YenField(forms.CharField):
    """A yen amount typed as 「４０，０００，０００」, 「40,000,000円」 or 「40000000」."""

    default_error_messages = {
        "invalid": "金額は数字で入力してください（例: 40,000,000）。",
        "max_value": "金額が大きすぎます。桁数を確認してください。",
    }

    def __init__(self, **kwargs: Any) -> None:
        # No max_length: its validator would measure the int. The widget limits typing instead.
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "class": "input-yen", "maxlength": "30"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value) or ""
        # NFKC folds full-width digits and commas (４０，０００) to ASCII.
        text = _YEN_NOISE.sub("", unicodedata.normalize("NFKC", text))
        if text in self.empty_values:
            return None
        if not text.isascii() or not text.isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = parse_ascii_int(text.lstrip("0") or "0")
        if amount is None or amount > MAX_YEN:
            raise ValidationError(self.error_messages["max_value"], code="max_value")
        return amount

    def prepare_value(self, value: Any) -> Any:
        # Show stored amounts with commas, as every list and certificate prints them.
        if isinstance(value, int):
            return format_yen(value)
        return value
