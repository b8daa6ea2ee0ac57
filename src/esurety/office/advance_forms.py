"""Forms of the back office's advance pages: a reason for each step that needs one."""

from __future__ import annotations

from django import forms

from esurety.advances.rules import REASON_MAX
from esurety.office.forms import ViolationsMixin
from esurety.web.forms import TextField


def _reason(label: str, required: str) -> TextField:
    return TextField(
        strip=True,
        label=label,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": required,
            "max_length": f"{REASON_MAX}文字以内で入力してください。",
        },
    )


class StatementReturnForm(ViolationsMixin, forms.Form):
    reason = _reason("差戻しの理由（保証契約者に表示されます）", "差戻しの理由を入力してください。")


class AccountStopForm(ViolationsMixin, forms.Form):
    reason = _reason("払出停止の理由（保証契約者と金融機関に通知されます）", "払出停止の理由を入力してください。")


class AccountResumeForm(ViolationsMixin, forms.Form):
    reason = _reason("払出再開の理由（保証契約者と金融機関に通知されます）", "払出再開の理由を入力してください。")


class AccountCloseForm(ViolationsMixin, forms.Form):
    reason = _reason("閉鎖の理由（完成・解除など）", "閉鎖の理由を入力してください。")
