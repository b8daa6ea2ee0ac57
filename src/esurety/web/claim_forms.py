"""Forms of the end of a guarantee, shared by the orderer's portal and the back office.

They check types only; the claims services check the rules, and their violations come back
through ``add_violations`` beside the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from esurety.claims.kinds import Decision, TerminationReason
from esurety.claims.services import ClaimInput, Upload
from esurety.core.errors import DomainError
from esurety.web.forms import BusinessDateField, TextField, YenField

# Fields a violation may name that stand for a group of inputs on the page.
_FIELD_ALIASES = {"penalty": "penalty_numerator"}


class ClaimFormBase(forms.Form):
    def add_violations(self, error: DomainError) -> None:
        """Each broken rule beside its field; rules about no field of this form go on top."""
        if not error.violations:
            self.add_error(None, error.message)
            return
        for violation in error.violations:
            name = _FIELD_ALIASES.get(violation.field, violation.field)
            if name == "documents" and "documents" not in self.fields:
                name = next((f for f in self.fields if f.startswith("document_")), "")
            self.add_error(name if name in self.fields else None, violation.message)


class DocumentsMixin(ClaimFormBase):
    """One file input per document the surety asks for, and one for any other document."""

    def add_document_fields(self, titles: tuple[str, ...]) -> None:
        self.titles = titles
        for i, title in enumerate(titles):
            self.fields[f"document_{i}"] = forms.FileField(label=title, required=False)
        self.fields["other_title"] = TextField(label="その他の書類の名称", max_length=100, required=False, strip=True)
        self.fields["other_file"] = forms.FileField(label="その他の書類", required=False)

    @property
    def document_fields(self) -> list[forms.BoundField]:
        return [self[f"document_{i}"] for i in range(len(self.titles))]

    def uploads(self) -> list[Upload]:
        out = [
            Upload(title=title, file=self.cleaned_data[f"document_{i}"])
            for i, title in enumerate(self.titles)
            if self.cleaned_data.get(f"document_{i}")
        ]
        other = self.cleaned_data.get("other_file")
        if other:
            out.append(Upload(title=self.cleaned_data.get("other_title") or "その他の書類", file=other))
        return out


class CompletionForm(ClaimFormBase):
    completed_on = BusinessDateField(label="完成日")
    inspected_on = BusinessDateField(label="完成検査日")
    inspection_passed = forms.BooleanField(label="完成検査に合格しました", required=False)
    note = TextField(label="備考", max_length=200, required=False, strip=True)


class ClaimForm(DocumentsMixin):
    termination_date = BusinessDateField(label="契約解除日")
    termination_reason = forms.ChoiceField(
        label="解除の事由", choices=TerminationReason.choices, widget=forms.RadioSelect
    )
    advance_paid = YenField(label="支払済の前払金（円）", required=False)
    interim_advance_paid = YenField(label="支払済の中間前払金（円）", required=False)
    progress_paid = YenField(label="支払済の出来形払・部分払（円）", required=False)
    work_done_value = YenField(label="既済部分（出来形）の代価（円）", required=False)
    penalty_numerator = forms.IntegerField(label="違約金の割合（分子）", min_value=1, max_value=1000, required=False)
    penalty_denominator = forms.IntegerField(label="違約金の割合（分母）", min_value=1, max_value=1000, required=False)
    statement = TextField(
        label="請求の内容・経緯", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, titles: tuple[str, ...], performance: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.performance = performance
        if performance:
            for name in ("advance_paid", "interim_advance_paid", "progress_paid", "work_done_value"):
                del self.fields[name]
        else:
            del self.fields["penalty_numerator"]
            del self.fields["penalty_denominator"]
        self.add_document_fields(titles)

    def claim_input(self) -> ClaimInput:
        d = self.cleaned_data
        return ClaimInput(
            termination_date=d["termination_date"],
            termination_reason=d["termination_reason"],
            advance_paid=d.get("advance_paid") or 0,
            interim_advance_paid=d.get("interim_advance_paid") or 0,
            progress_paid=d.get("progress_paid") or 0,
            work_done_value=d.get("work_done_value") or 0,
            penalty_numerator=d.get("penalty_numerator") or 10,
            penalty_denominator=d.get("penalty_denominator") or 100,
            statement=d.get("statement") or "",
        )


class AddDocumentsForm(DocumentsMixin):
    message = TextField(
        label="保証会社への連絡", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, titles: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_document_fields(titles)


class RequestDocumentsForm(ClaimFormBase):
    message = TextField(
        label="依頼する資料と理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class AssessForm(ClaimFormBase):
    work_done_value = YenField(label="審査による既済部分の代価（円）", required=False)
    note = TextField(label="審査意見", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), strip=True)


class DecideForm(ClaimFormBase):
    decision = forms.ChoiceField(label="決定", choices=Decision.choices, widget=forms.RadioSelect)
    reason = TextField(label="決定の理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), strip=True)


class PaymentForm(ClaimFormBase):
    paid_on = BusinessDateField(label="支払日")
