"""Form pieces every portal shares.

- Fields with the one input policy of core: free text, dates and yen amounts. A field
  here refuses what the domain would refuse (a date outside the business range, a
  control character in a name, a 5,000-digit amount) with a Japanese message beside
  the field, so that nothing reaches a service, a query or a template that could turn
  it into a 500.
- The departments of an orderer (部署と通知先), edited by the sureties' staff in the
  office and by the orderer's own 管理者 in the 保証確認サービス.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms import formset_factory

from esurety.core.dates import FIRST_BUSINESS_DAY, LAST_BUSINESS_DAY, business_date_error
from esurety.core.kinds import GuaranteeKind
from esurety.core.money import format_yen
from esurety.core.normalize import parse_ascii_int
from esurety.core.text import TextValidator
from esurety.parties.models import Orderer
from esurety.parties.services import DepartmentInput
from esurety.web.widgets import IsoDateInput

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
        if self.max_length is not None and "max_length" not in (kwargs.get("error_messages") or {}):
            # The product's wording (支払先名は100文字以内で入力してください。), not Django's
            # 「この値は 100 文字以下でなければなりません( 3000 文字になっています)。」.
            subject = f"{self.label}は" if self.label else ""
            self.error_messages["max_length"] = f"{subject}{self.max_length}文字以内で入力してください。"
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
        kwargs.setdefault("widget", IsoDateInput(attrs=attrs))
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


ELECTRONIC_KIND_CHOICES = [
    (GuaranteeKind.ADVANCE.value, "前払"),
    (GuaranteeKind.INTERIM_ADVANCE.value, "中間前払"),
    (GuaranteeKind.PERFORMANCE.value, "契約"),
]


class DepartmentForm(forms.Form):
    name = forms.CharField(
        label="部署名",
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"aria-label": "部署名"}),
        error_messages={"max_length": "部署名は100文字以内で入力してください。"},
    )
    email = forms.EmailField(
        label="メールアドレス",
        required=False,
        widget=forms.EmailInput(attrs={"aria-label": "メールアドレス", "size": 28}),
        error_messages={"invalid": "メールアドレスの形式が正しくありません。"},
    )
    kinds = forms.MultipleChoiceField(
        label="受け付ける区分", choices=ELECTRONIC_KIND_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        if data.get("name") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "メールアドレスを入力してください。")
        if data.get("email") and not data.get("name"):
            self.add_error("name", "部署名を入力してください。")
        return data


DepartmentFormSet = formset_factory(DepartmentForm, extra=2, can_delete=True)


def department_initial(orderer: Orderer) -> list[dict[str, Any]]:
    return [
        {"name": d.name, "email": d.email, "kinds": [k for k, _ in ELECTRONIC_KIND_CHOICES if d.handles(k)]}
        for d in orderer.departments.order_by("name")
    ]


def department_inputs(departments: Any) -> tuple[DepartmentInput, ...]:
    """The rows of a valid DepartmentFormSet, without the deleted and the empty ones."""
    return tuple(
        DepartmentInput(name=d["name"], email=d["email"], kinds=tuple(d.get("kinds") or ()))
        for d in (f.cleaned_data for f in departments.forms)
        if d and not d.get("DELETE") and d.get("name")
    )


class AdoptionSearchForm(forms.Form):
    """よくある質問: the orderers that accept electronic certificates, by name (部分一致)."""

    name = TextField(label="発注者名", max_length=100, required=False)
