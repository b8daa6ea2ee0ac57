"""Forms of the token pages (back office and the orderer's organisation page)."""

from __future__ import annotations

from django import forms

from esurety.api.services import NAME_MAX
from esurety.core.errors import DomainError
from esurety.parties.models import Role

ROLE_CHOICES = [
    (Role.CLERK.value, "担当者（申込の入力・審査開始・入金確認・契約締結・変更申請・認証キー再発行）"),
    (Role.APPROVER.value, "承認者（担当者の操作に加えて、承認・解約・一括取込）"),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="名称（接続するシステム）",
        max_length=NAME_MAX,
        strip=True,
        help_text="例: 電子契約システム（本番）。監査ログと一覧にこの名前で表示されます。",
        error_messages={"required": "名称を入力してください。"},
    )

    def add_violations(self, error: DomainError) -> None:
        """Each broken rule beside its field; the rest on top (as the back office's forms do)."""
        if not error.violations:
            self.add_error(None, error.message)
        for violation in error.violations:
            self.add_error(violation.field if violation.field in self.fields else None, violation.message)


class SuretyTokenForm(TokenForm):
    role = forms.ChoiceField(
        label="権限",
        choices=ROLE_CHOICES,
        initial=Role.CLERK.value,
        widget=forms.RadioSelect,
        help_text="承認は入力したトークンとは別の承認者のトークン（または職員）が行います。",
    )
