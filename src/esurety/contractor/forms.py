"""Search forms of the contractor portal (保証工事一覧, 保証料書類)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from esurety.guarantees.models import StatementType
from esurety.guarantees.selectors import SearchMode
from esurety.web.forms import BusinessDateField, TextField, YenField


class GuaranteeSearchForm(forms.Form):
    """The seed's one-box search: 全件 / 保証契約番号 / 発注者 / 工事名."""

    mode = forms.ChoiceField(
        label="検索対象",
        choices=[
            (SearchMode.ALL, "全件"),
            (SearchMode.NUMBER, "保証契約番号"),
            (SearchMode.ORDERER, "発注者"),
            (SearchMode.WORK_NAME, "工事名"),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial=SearchMode.ALL,
    )
    q = TextField(label="検索語", max_length=100, required=False, strip=True)

    def search_terms(self) -> tuple[str, str]:
        """(mode, query) to search with; anything unusable falls back to the full list (初期表示)."""
        if not self.is_valid():
            return SearchMode.ALL, ""
        return self.cleaned_data.get("mode") or SearchMode.ALL, self.cleaned_data.get("q") or ""


@dataclass(frozen=True)
class StatementFilters:
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    counterparty: str = ""
    statement_type: str = ""


AMOUNT_INVALID = "金額は半角または全角の数字で入力してください（例: 100,000）。"


class StatementSearchForm(forms.Form):
    """電子帳簿保存法's search keys: 取引年月日 (range), 取引金額 (range), 取引先."""

    issued_from = BusinessDateField(
        label="発行日（から）",
        required=False,
        error_messages={"invalid": "発行日は 2026-04-01 または 2026/04/01 の形で入力してください。"},
    )
    issued_to = BusinessDateField(
        label="発行日（まで）",
        required=False,
        error_messages={"invalid": "発行日は 2026-04-01 または 2026/04/01 の形で入力してください。"},
    )
    amount_min = YenField(
        label="金額（円以上）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": AMOUNT_INVALID},
    )
    amount_max = YenField(
        label="金額（円以下）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": AMOUNT_INVALID},
    )
    counterparty = TextField(label="取引先", max_length=100, required=False, strip=True)
    statement_type = forms.ChoiceField(
        label="書類の種類", choices=[("", "すべて"), *StatementType.choices], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            self.add_error(
                "issued_to", "発行日の範囲が逆になっています（「から」は「まで」以前の日付にしてください）。"
            )
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "金額の範囲が逆になっています（「以上」は「以下」以下の金額にしてください）。")
        return data

    def filters(self) -> StatementFilters | None:
        """The filters to apply, or None when the input has errors (then nothing is listed)."""
        if not self.is_valid():
            return None
        d = self.cleaned_data
        return StatementFilters(
            issued_from=d.get("issued_from"),
            issued_to=d.get("issued_to"),
            amount_min=d.get("amount_min"),
            amount_max=d.get("amount_max"),
            counterparty=d.get("counterparty") or "",
            statement_type=d.get("statement_type") or "",
        )
