"""Forms of the orderer's verification portal."""

from __future__ import annotations

from django import forms

from esurety.core.kinds import ELECTRONIC_KINDS, GuaranteeKind
from esurety.verification.selectors import ReceiptFilters, ReceiptStatus
from esurety.web.forms import TextField


class VerifyForm(forms.Form):
    number = TextField(
        label="保証契約番号",
        max_length=40,
        help_text="10桁の数字（全角でも入力できます）",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    key = TextField(
        label="認証キー",
        max_length=40,
        help_text="10文字の英数字（全角・小文字・ハイフン入りでも入力できます）",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


class ReceiptSearchForm(forms.Form):
    number = TextField(label="保証契約番号", max_length=40, required=False)
    contractor = TextField(label="保証契約者", max_length=100, required=False)
    work_name = TextField(label="工事名", max_length=100, required=False)
    kind = forms.ChoiceField(
        label="区分",
        required=False,
        choices=[("", "すべて")] + [(k.value, k.label) for k in GuaranteeKind if k.value in ELECTRONIC_KINDS],
    )
    status = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて")] + [(s, s) for s in ReceiptStatus.CHOICES]
    )

    def filters(self) -> ReceiptFilters:
        if not self.is_valid():
            return ReceiptFilters()
        return ReceiptFilters(**{name: str(self.cleaned_data.get(name) or "") for name in self.fields})
