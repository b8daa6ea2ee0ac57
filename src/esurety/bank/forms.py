"""Forms of the bank portal. They check types only; the services check the rules, and their
violations come back beside the field they name (add_violations)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from esurety.advances.kinds import DepositKind, WithdrawalStatus
from esurety.core.errors import DomainError
from esurety.web.downloads import CSV_ENCODINGS
from esurety.web.forms import BusinessDateField, TextField, YenField


class ViolationsMixin:
    def add_violations(self: Any, error: DomainError) -> None:
        """Each broken rule beside its field; rules about no field of this form go on top."""
        if not error.violations:
            self.add_error(None, error.message)
            return
        for violation in error.violations:
            name = violation.field if violation.field in self.fields else None
            self.add_error(name, violation.message)


def _choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


@dataclass(frozen=True)
class WithdrawalFilters:
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    bank_branch_id: int | None = None
    contractor_id: int | None = None

    def query(self) -> dict[str, str]:
        """The filters as the list's query string (pager links, the CSV link)."""
        out = {
            "status": self.status,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "branch": str(self.bank_branch_id or ""),
            "contractor": str(self.contractor_id or ""),
        }
        return {k: v for k, v in out.items() if v}


class WithdrawalFilterForm(forms.Form):
    status = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *WithdrawalStatus.choices])
    date_from = BusinessDateField(label="依頼日（から）", required=False)
    date_to = BusinessDateField(label="依頼日（まで）", required=False)
    branch = forms.TypedChoiceField(label="支店", required=False, coerce=int, empty_value=None)
    contractor = forms.TypedChoiceField(label="保証契約者", required=False, coerce=int, empty_value=None)

    def __init__(
        self,
        data: Any = None,
        *,
        branches: list[tuple[int, str]] | None,
        contractors: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)
        if branches is None:
            # A branch user sees its own branch only: no choice to offer.
            del self.fields["branch"]
        else:
            _choices(self.fields["branch"], [("", "すべての支店"), *branches])
        _choices(self.fields["contractor"], [("", "すべて"), *contractors])
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "一覧から選んでください。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "依頼日（まで）は、依頼日（から）以降の日付にしてください。")
        return data

    def filters(self) -> WithdrawalFilters:
        """The filters of a valid form (call is_valid first)."""
        data = self.cleaned_data
        return WithdrawalFilters(
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            bank_branch_id=data.get("branch"),
            contractor_id=data.get("contractor"),
        )


class CsvForm(forms.Form):
    encoding = forms.ChoiceField(label="文字コード", choices=list(CSV_ENCODINGS.items()), initial="utf-8")


class PayForm(ViolationsMixin, forms.Form):
    paid_on = BusinessDateField(label="払出日", error_messages={"required": "払出日を入力してください。"})


class ReturnForm(ViolationsMixin, forms.Form):
    reason = TextField(
        label="差戻しの理由（保証契約者に表示されます）",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "差戻しの理由を入力してください。"},
    )


class BankInviteForm(ViolationsMixin, forms.Form):
    display_name = TextField(
        label="氏名", max_length=100, strip=True, error_messages={"required": "氏名を入力してください。"}
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません。",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    bank_branch = forms.TypedChoiceField(
        label="所属",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="支店の利用者は、その支店の口座の払出依頼のみ扱えます。",
        error_messages={"invalid_choice": "所属を一覧から選んでください。"},
    )

    def __init__(self, data: Any = None, *, branches: list[tuple[int, str]]) -> None:
        super().__init__(data)
        _choices(self.fields["bank_branch"], [("", "本部（全支店）"), *branches])


class DepositForm(ViolationsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="種類",
        choices=DepositKind.choices,
        initial=DepositKind.ADVANCE,
        help_text="利息は前払金ではありません（払出依頼なしで払い出せます）。",
        error_messages={"invalid_choice": "入金の種類（前払金・利息）を選んでください。"},
    )
    amount = YenField(label="金額（円）", error_messages={"required": "金額を入力してください。"})
    booked_on = BusinessDateField(label="入金日", error_messages={"required": "入金日を入力してください。"})
    note = TextField(label="摘要", max_length=200, required=False, strip=True)
