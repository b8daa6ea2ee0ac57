"""Forms of the advance pages: the account, the use statement's lines, proofs, requests, the payee book.

The forms check types only; every rule of the advance money is the domain's
(advances.rules, through the services). Its RuleViolations come back with
``add_violations`` and are shown beside the field they name (``lines.<i>.<field>``
beside the i-th line entered).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from esurety.advances.kinds import AccountType, PayeeAccountType, ProofKind, UseCategory, WithdrawalMethod
from esurety.advances.rules import (
    CHANGE_REASON_MAX,
    HOLDER_KANA_MAX,
    NAME_MAX,
    PROOF_MAX_BYTES,
    AccountInput,
    LineInput,
    PayeeInput,
)
from esurety.core.errors import DomainError, RuleViolation
from esurety.parties.models import DepositBankBranch
from esurety.web.forms import BusinessDateField, TextField, YenField

# Empty rows offered under the lines of a statement (more after each save).
EXTRA_LINES = 3


class ViolationsMixin:
    """Each broken rule beside its field; the rest on top of the form."""

    if TYPE_CHECKING:
        fields: dict[str, forms.Field]

        def add_error(self, field: str | None, error: Any) -> None: ...

    def add_violations(self, error: DomainError, *, strip: str = "") -> None:
        if not error.violations:
            self.add_error(None, error.message)
            return
        for v in error.violations:
            name = v.field.removeprefix(strip)
            self.add_error(name if name in self.fields else None, v.message)


class BranchChoiceField(forms.ModelChoiceField[DepositBankBranch]):
    def label_from_instance(self, obj: DepositBankBranch) -> str:
        return f"{obj.bank.name} {obj.name}（{obj.bank.code}-{obj.code}）"


class AccountForm(ViolationsMixin, forms.Form):
    bank_branch = BranchChoiceField(
        label="預託金融機関・支店",
        queryset=DepositBankBranch.objects.none(),
        empty_label="選んでください",
        error_messages={
            "required": "預託金融機関の支店を選んでください。",
            "invalid_choice": "預託金融機関の支店を選んでください。",
        },
    )
    account_type = forms.ChoiceField(
        label="預金種目", choices=AccountType.choices, widget=forms.RadioSelect, initial=AccountType.ORDINARY
    )
    account_number = TextField(
        label="口座番号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    )
    holder_kana = TextField(
        label="口座名義（カナ）", max_length=HOLDER_KANA_MAX, help_text="例: カ)マルマルケンセツ（半角カナも可）"
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bank_branch"]
        assert isinstance(field, BranchChoiceField)
        field.queryset = branches

    def to_input(self) -> AccountInput:
        d = self.cleaned_data
        return AccountInput(
            bank_branch_id=d["bank_branch"].pk,
            account_type=d["account_type"],
            account_number=d["account_number"],
            holder_kana=d["holder_kana"],
        )


class LineForm(forms.Form):
    """One line of the statement; an empty row is left out."""

    line_no = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=999_999)
    category = forms.ChoiceField(label="使途", choices=[("", "選んでください"), *UseCategory.choices], required=False)
    payee_name = TextField(
        label="支払先",
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"size": 22}),
    )
    amount = YenField(label="金額", required=False)
    planned_on = BusinessDateField(label="支払予定日", required=False)
    method = forms.ChoiceField(
        label="払出方法", choices=[("", "選んでください"), *WithdrawalMethod.choices], required=False
    )

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not any(d.get(k) for k in ("category", "payee_name", "amount", "planned_on", "method"))

    def to_line(self) -> LineInput:
        d = self.cleaned_data
        return LineInput(
            category=d.get("category") or "",
            payee_name=d.get("payee_name") or "",
            amount=d.get("amount") or 0,
            planned_on=d.get("planned_on"),
            method=d.get("method") or "",
            line_no=d.get("line_no"),
        )


class BaseLineFormSet(BaseFormSet[LineForm]):
    def entered(self) -> list[tuple[int, LineForm]]:
        """(form index, form) of the rows that are not empty, in order: the service's ``lines.<i>``."""
        return [(i, f) for i, f in enumerate(self.forms) if not f.is_blank()]

    def to_lines(self) -> list[LineInput]:
        return [f.to_line() for _, f in self.entered()]

    def add_violations(self, error: DomainError, *, extra: forms.Form | None = None) -> list[str]:
        """Line errors beside their cells; the rest returned (shown on top of the table).

        ``extra`` (the change reason form) takes the violations that name its fields.
        """
        rows = self.entered()
        top: list[str] = []
        violations: Sequence[RuleViolation] = error.violations or [RuleViolation("", error.message)]
        for v in violations:
            parts = v.field.split(".")
            if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(rows):
                form = rows[int(parts[1])][1]
                name = parts[2]
                if name in form.fields and name != "line_no":
                    form.add_error(name, v.message)
                else:
                    form.add_error(None, v.message)
            elif extra is not None and v.field in extra.fields:
                extra.add_error(v.field, v.message)
            else:
                top.append(v.message)
        return top


LineFormSet = formset_factory(LineForm, formset=BaseLineFormSet, extra=EXTRA_LINES, max_num=200, absolute_max=220)


def line_initial(lines: Any) -> list[dict[str, Any]]:
    return [
        {
            "line_no": x.line_no,
            "category": x.category,
            "payee_name": x.payee_name or "未定",
            "amount": x.amount,
            "planned_on": x.planned_on,
            "method": x.method,
        }
        for x in lines
    ]


class ChangeReasonForm(forms.Form):
    change_reason = TextField(
        label="使途変更の理由",
        max_length=CHANGE_REASON_MAX,
        error_messages={"required": "使途変更の理由を入力してください。"},
        widget=forms.TextInput(attrs={"size": 50}),
    )


class ProofForm(ViolationsMixin, forms.Form):
    line_no = forms.TypedChoiceField(label="使途内訳の行", coerce=int, choices=())
    kind = forms.ChoiceField(label="書類の種類", choices=[("", "選んでください"), *ProofKind.choices])
    file = forms.FileField(
        label="ファイル（PDF・JPEG・PNG）",
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["line_no"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "選んでください")] + [
            (x.line_no, f"行{x.line_no} {x.get_category_display()} {x.payee_name or '未定'}") for x in lines
        ]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > PROOF_MAX_BYTES:
            raise forms.ValidationError(f"ファイルが大きすぎます（{PROOF_MAX_BYTES // (1024 * 1024)}MBまで）。")
        return upload


class PayeeFieldsMixin:
    cleaned_data: dict[str, Any]

    def payee_input(self, prefix: str = "") -> PayeeInput:
        d = self.cleaned_data
        return PayeeInput(
            name=d.get(prefix + "name") or "",
            bank_name=d.get(prefix + "bank_name") or "",
            bank_code=d.get(prefix + "bank_code") or "",
            branch_name=d.get(prefix + "branch_name") or "",
            branch_code=d.get(prefix + "branch_code") or "",
            account_type=d.get(prefix + "account_type") or "",
            account_number=d.get(prefix + "account_number") or "",
            holder_kana=d.get(prefix + "holder_kana") or "",
        )


def _payee_fields(prefix: str, *, name_required: bool) -> dict[str, forms.Field]:
    return {
        prefix + "name": TextField(label="支払先名", max_length=NAME_MAX, required=name_required),
        prefix + "bank_name": TextField(label="金融機関名", max_length=NAME_MAX, required=False),
        prefix + "bank_code": TextField(
            label="金融機関コード",
            max_length=10,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
        ),
        prefix + "branch_name": TextField(label="支店名", max_length=NAME_MAX, required=False),
        prefix + "branch_code": TextField(
            label="支店コード",
            max_length=10,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
        ),
        prefix + "account_type": forms.ChoiceField(
            label="預金種目", choices=[("", "—"), *PayeeAccountType.choices], required=False
        ),
        prefix + "account_number": TextField(
            label="口座番号",
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 10}),
        ),
        prefix + "holder_kana": TextField(label="口座名義（カナ）", max_length=HOLDER_KANA_MAX, required=False),
    }


class PayeeForm(PayeeFieldsMixin, ViolationsMixin, forms.Form):
    """The payee book's form (a name alone is a payee paid in cash)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_payee_fields("", name_required=True))
        self.fields["name"].error_messages["required"] = "支払先名を入力してください。"


NEW_PAYEE = "new"


class WithdrawalForm(PayeeFieldsMixin, ViolationsMixin, forms.Form):
    """One 払出依頼書: a line of the accepted statement, a payee (book or typed), amount, date."""

    line_no = forms.TypedChoiceField(
        label="使途内訳の行",
        coerce=int,
        choices=(),
        error_messages={"required": "払い出す使途内訳の行を選んでください。"},
    )
    payee_choice = forms.ChoiceField(
        label="支払先", choices=(), error_messages={"required": "支払先を選んでください。"}
    )
    amount = YenField(label="金額", error_messages={"required": "金額を入力してください。"})
    desired_on = BusinessDateField(label="払出希望日", error_messages={"required": "払出希望日を入力してください。"})
    save_payee = forms.BooleanField(label="この支払先を支払先台帳に登録する", required=False)

    def __init__(self, *args: Any, lines: Any, payees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line_field = self.fields["line_no"]
        assert isinstance(line_field, forms.TypedChoiceField)
        line_field.choices = [("", "選んでください")] + [
            (x.line_no, f"行{x.line_no} {x.category_label} {x.payee_name or '未定'}（残額 {x.left:,}円）")
            for x in lines
        ]
        choice = self.fields["payee_choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(NEW_PAYEE, "新しい支払先を入力する（下欄）")] + [
            (str(p.pk), f"{p.name}{'（' + p.bank_name + ' ' + p.branch_name + '）' if p.bank_name else '（現金払）'}")
            for p in payees
        ]
        self.fields.update(_payee_fields("payee_", name_required=False))

    def payee_id(self) -> int | None:
        value = self.cleaned_data.get("payee_choice")
        return int(value) if value and value != NEW_PAYEE and value.isdigit() else None

    def add_violations(self, error: DomainError, *, strip: str = "") -> None:
        for v in error.violations or [RuleViolation("", error.message)]:
            name = "payee_choice" if v.field == "payee_id" else v.field
            self.add_error(name if name in self.fields else None, v.message)


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSVファイル",
        error_messages={"required": "CSVファイルを選んでください。", "empty": "ファイルが空です。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
