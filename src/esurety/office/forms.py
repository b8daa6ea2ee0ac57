"""Back-office forms. They check types only; the services check the business rules and
their violations come back through `add_violations`, beside the field they name."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms

from esurety.core.errors import DomainError
from esurety.core.kinds import KIND_FULL_NAMES, GuaranteeKind, WorkCategory
from esurety.guarantees.models import AmendmentType, GuaranteeStatus
from esurety.parties.models import Branch, Orderer
from esurety.parties.services import AdoptionInput, OrdererInput
from esurety.web.forms import ELECTRONIC_KIND_CHOICES, BusinessDateField, TextField, YenField, department_inputs


class ViolationsMixin:
    def add_violations(self: Any, error: DomainError) -> None:
        """Each broken rule beside its field; rules about no field of this form go on top."""
        if not error.violations:
            self.add_error(None, error.message)
            return
        for violation in error.violations:
            name = violation.field if violation.field in self.fields else None
            self.add_error(name, violation.message)


def _text(**kwargs: Any) -> TextField:
    return TextField(strip=True, **kwargs)


# ---------------------------------------------------------------------------
# review


class RejectForm(ViolationsMixin, forms.Form):
    reason = _text(
        label="否決理由（保証契約者に表示されます）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "否決理由を入力してください。"},
    )


class PaymentForm(ViolationsMixin, forms.Form):
    received_on = BusinessDateField(label="入金日", error_messages={"required": "入金日を入力してください。"})


# ---------------------------------------------------------------------------
# guarantees


class GuaranteeSearchForm(forms.Form):
    number = _text(label="保証契約番号", required=False, max_length=20)
    contractor = _text(label="保証契約者", required=False, max_length=100)
    orderer = _text(label="発注者", required=False, max_length=100)
    work_name = _text(label="工事名", required=False, max_length=200)
    status = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *GuaranteeStatus.choices])
    branch = forms.TypedChoiceField(label="取次場所", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, branches: list[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "すべて"), *((b.pk, b.name) for b in branches)]  # type: ignore[attr-defined]


class AmendmentRequestForm(ViolationsMixin, forms.Form):
    amendment_type = forms.ChoiceField(
        label="変更の種類",
        choices=[
            (AmendmentType.AMOUNT.value, "金額の変更（請負金額・保証金額）— 変更の保証証書を発行"),
            (AmendmentType.PERIOD.value, "工期の変更（工事末日）— 保証期間が変わり、証書は発行しない"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "変更の種類を選んでください。"},
    )
    contract_price = YenField(label="変更後の請負金額(総額)", required=False)
    guaranteed_amount = YenField(label="変更後の保証金額", required=False)
    completion_date = BusinessDateField(label="変更後の工事末日", required=False)
    effective_on = BusinessDateField(
        label="変更日（変更契約の締結日）", error_messages={"required": "変更日を入力してください。"}
    )
    reason = _text(
        label="変更理由",
        max_length=200,
        error_messages={"required": "変更理由を入力してください。"},
        widget=forms.TextInput(attrs={"size": 50}),
    )


class ReasonForm(ViolationsMixin, forms.Form):
    reason = _text(
        label="理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "理由を入力してください。"},
    )


# ---------------------------------------------------------------------------
# premium rates


class PremiumRateForm(ViolationsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="区分",
        choices=[(k, KIND_FULL_NAMES[k]) for k in GuaranteeKind.values],
        error_messages={"required": "区分を選んでください。"},
    )
    effective_from = BusinessDateField(
        label="適用開始日", error_messages={"required": "適用開始日を入力してください。"}
    )
    annual_rate = _text(
        label="年率（小数）",
        max_length=20,
        help_text="例: 0.0012（0.12%）",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
        error_messages={"required": "年率を入力してください。"},
    )
    minimum_premium = YenField(
        label="最低保証料", error_messages={"required": "最低保証料を入力してください（なければ0）。"}
    )
    is_sample = forms.BooleanField(label="サンプル料率（デモ・試算用）", required=False)

    def clean_annual_rate(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data["annual_rate"]).replace(" ", "")


# ---------------------------------------------------------------------------
# orderers


def adoption_field_name(category: str, kind: str) -> str:
    return f"adopt__{category}__{kind}"


class OrdererForm(ViolationsMixin, forms.Form):
    name = _text(
        label="発注者名（被保証者）",
        max_length=100,
        error_messages={"required": "発注者名を入力してください。"},
        widget=forms.TextInput(attrs={"size": 40}),
    )
    organisation_name = _text(
        label="機関名", max_length=100, required=False, widget=forms.TextInput(attrs={"size": 40})
    )
    postal_code = _text(label="郵便番号", max_length=8, required=False, widget=forms.TextInput(attrs={"size": 10}))
    address = _text(label="所在地", max_length=200, required=False, widget=forms.TextInput(attrs={"size": 50}))
    notice_subject_template = _text(
        label="認証キー送信メールの件名",
        max_length=200,
        required=False,
        help_text=(
            "{kind}（区分）, {number}（保証契約番号）, {work_name}（工事名）, {contractor}（保証契約者）"
            "を差し込めます。空欄は標準の件名。"
        ),
        widget=forms.TextInput(attrs={"size": 70}),
    )
    adoption_from = BusinessDateField(label="対象となる契約締結日（から）", required=False)
    adoption_until = BusinessDateField(label="対象となる契約締結日（まで・空欄は期限なし）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in WorkCategory.values:
            for kind, label in ELECTRONIC_KIND_CHOICES:
                self.fields[adoption_field_name(category, kind)] = forms.BooleanField(
                    label=f"{WorkCategory(category).label}・{label}", required=False
                )

    @staticmethod
    def initial_for(orderer: Orderer) -> dict[str, Any]:
        adoptions = list(orderer.adoptions.all())
        initial: dict[str, Any] = {
            "name": orderer.name,
            "organisation_name": orderer.organisation_name,
            "postal_code": orderer.postal_code,
            "address": orderer.address,
            "notice_subject_template": orderer.notice_subject_template,
        }
        if adoptions:
            initial["adoption_from"] = min(a.effective_from for a in adoptions)
            untils = {a.effective_until for a in adoptions}
            initial["adoption_until"] = untils.pop() if len(untils) == 1 else None
        for a in adoptions:
            initial[adoption_field_name(a.work_category, a.kind)] = True
        return initial

    def grid(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Rows of the checkbox grid: (category label, [bound field per kind])."""
        return [
            (
                WorkCategory(category).label,
                [self[adoption_field_name(category, kind)] for kind, _ in ELECTRONIC_KIND_CHOICES],
            )
            for category in WorkCategory.values
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checked = [
            (c, k)
            for c in WorkCategory.values
            for k, _ in ELECTRONIC_KIND_CHOICES
            if data.get(adoption_field_name(c, k))
        ]
        if checked and data.get("adoption_from") is None and "adoption_from" not in self.errors:
            self.add_error(
                "adoption_from", "電子交付の対象を選んだ場合は、対象となる契約締結日（から）を入力してください。"
            )
        return data

    def adoptions(self) -> tuple[AdoptionInput, ...]:
        data = self.cleaned_data
        start: dt.date | None = data.get("adoption_from")
        if start is None:
            return ()
        return tuple(
            AdoptionInput(work_category=c, kind=k, effective_from=start, effective_until=data.get("adoption_until"))
            for c in WorkCategory.values
            for k, _ in ELECTRONIC_KIND_CHOICES
            if data.get(adoption_field_name(c, k))
        )


def orderer_input(form: OrdererForm, departments: Any) -> OrdererInput:
    """departments: a valid DepartmentFormSet, or None when the orderer keeps its departments itself."""
    data = form.cleaned_data
    return OrdererInput(
        name=data["name"],
        organisation_name=data.get("organisation_name", ""),
        postal_code=data.get("postal_code", ""),
        address=data.get("address", ""),
        notice_subject_template=data.get("notice_subject_template", ""),
        adoptions=form.adoptions(),
        departments=department_inputs(departments) if departments is not None else None,
    )


class InviteForm(ViolationsMixin, forms.Form):
    display_name = _text(label="氏名", max_length=100, error_messages={"required": "氏名を入力してください。"})
    email = forms.EmailField(
        label="メールアドレス",
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません。",
        },
    )
