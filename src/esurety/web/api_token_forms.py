"""Forms and POST handling shared by the token pages (back office, the orderer's and the bank's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.integrations.models import ApiToken
from esurety.integrations.services import NAME_MAX, IssuedToken, api_token_revoke
from esurety.parties.models import Role, User
from esurety.web.forms import TextField

ROLE_CHOICES = [
    (Role.CLERK.value, "担当者（申込の入力・審査開始・入金確認・契約締結・変更申請・認証キー再発行）"),
    (Role.APPROVER.value, "承認者（担当者の操作に加えて、承認・解約・一括取込）"),
]


class TokenForm(forms.Form):
    name = TextField(
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


F = TypeVar("F", bound=TokenForm)


def token_form_submit(
    request: HttpRequest, form_class: type[F], issue: Callable[[dict[str, Any]], IssuedToken], *, allowed: bool = True
) -> tuple[F, IssuedToken | None]:
    """The issuing POST of every token page: the form, and the token when one was issued.

    After an issue the form comes back empty; the secret goes only into this one answer.
    """
    form = form_class(request.POST or None)
    if request.method != "POST" or not allowed or not form.is_valid():
        return form, None
    try:
        issued = issue(form.cleaned_data)
    except DomainError as exc:
        form.add_violations(exc)
        return form, None
    return form_class(), issued


def token_revoke_submit(request: HttpRequest, token: ApiToken, by: User) -> None:
    """The revoking POST of every token page: the token revoked, and a message on the next page
    saying so or why not (never a 500). The caller has found the token in the user's own scope."""
    try:
        api_token_revoke(token=token, by=by, now=now())
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"APIトークン「{token.name}」（{token.prefix}…）を失効させました。")
