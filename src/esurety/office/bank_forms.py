"""Forms of the back office's 預託金融機関 pages (types only; the parties services check the rules)."""

from __future__ import annotations

from django import forms

from esurety.office.forms import ViolationsMixin
from esurety.web.forms import BusinessDateField, TextField


class BankForm(ViolationsMixin, forms.Form):
    name = TextField(
        label="金融機関名", max_length=100, strip=True, error_messages={"required": "金融機関名を入力してください。"}
    )
    code = TextField(
        label="金融機関コード",
        max_length=8,
        strip=True,
        help_text="4桁の数字（統一金融機関コード）",
        error_messages={"required": "金融機関コードを入力してください。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contract_from = BusinessDateField(
        label="預託契約の開始日", error_messages={"required": "預託契約の開始日を入力してください。"}
    )


class BranchForm(ViolationsMixin, forms.Form):
    name = TextField(
        label="支店名", max_length=100, strip=True, error_messages={"required": "支店名を入力してください。"}
    )
    code = TextField(
        label="支店コード",
        max_length=8,
        strip=True,
        help_text="3桁の数字",
        error_messages={"required": "支店コードを入力してください。"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ContractForm(ViolationsMixin, forms.Form):
    effective_from = BusinessDateField(
        label="預託契約の開始日", error_messages={"required": "預託契約の開始日を入力してください。"}
    )
