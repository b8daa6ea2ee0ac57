"""Form pieces shared by the portals: the departments of an orderer (部署と通知先), edited by the
sureties' staff in the office and by the orderer's own 管理者 in the 保証確認サービス."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from esurety.core.kinds import GuaranteeKind
from esurety.parties.models import Orderer
from esurety.parties.services import DepartmentInput

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
