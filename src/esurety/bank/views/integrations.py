"""API連携 and Webhook設定 of a bank: its 管理者 (head office) issues and revokes the tokens of the
bank's own systems and subscribes them to withdrawal events; anyone else gets 404.

A token's secret and a webhook's signing secret are shown once, on the page that answers the POST.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from esurety.bank.access import bank_admin, bank_required, bank_user
from esurety.core.clock import now
from esurety.integrations import selectors
from esurety.integrations.services import api_token_create
from esurety.parties.models import DepositBank, User
from esurety.parties.permissions import can_manage_tokens
from esurety.web.api_token_forms import TokenForm, token_form_submit, token_revoke_submit
from esurety.web.webhooks import WebhookPortal, webhook_urls
from esurety.webhooks.selectors import Owner, webhook_owner_for


def _token_admin(request: HttpRequest) -> tuple[User, DepositBank]:
    user = bank_admin(request)
    bank = user.deposit_bank
    if bank is None or not can_manage_tokens(user, bank=bank):
        raise Http404
    return user, bank


@require_http_methods(["GET", "POST"])
@bank_required
def tokens(request: HttpRequest) -> HttpResponse:
    user, bank = _token_admin(request)
    form, issued = token_form_submit(
        request, TokenForm, lambda data: api_token_create(by=user, name=data["name"], deposit_bank=bank, now=now())
    )
    return render(
        request,
        "bank/api_tokens.html",
        {
            "bank": bank,
            "tokens": selectors.tokens_of_bank(user=user, bank=bank),
            "form": form,
            "issued": issued,
            "tab": "api",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@bank_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user, bank = _token_admin(request)
    token = selectors.tokens_of_bank(user=user, bank=bank).filter(pk=pk).first()
    if token is None:
        raise Http404
    token_revoke_submit(request, token, user)
    return redirect("bank:api_tokens")


def webhook_admin(request: HttpRequest) -> tuple[User, Owner]:
    user = bank_user(request)
    owner = webhook_owner_for(user)
    if owner is None:
        raise Http404
    return user, owner


token_urls = [
    path("", tokens, name="api_tokens"),
    path("<int:pk>/revoke/", token_revoke, name="api_token_revoke"),
]
webhook_patterns = webhook_urls(
    WebhookPortal(
        namespace="bank",
        template="bank/webhooks.html",
        admin=webhook_admin,
        guard=bank_required,
        context={"tab": "webhooks", "is_bank": True},
    )
)
