"""API連携: tokens for the surety's own core system and for orderers' systems.

The secret is shown once, on the page that answers the issuing POST (never
in a message or a redirect); the lists show only the visible prefix.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from esurety.core.clock import now
from esurety.integrations import selectors
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create
from esurety.office.access import staff_required, staff_user
from esurety.parties.models import Orderer
from esurety.parties.permissions import can_manage_token, can_manage_tokens
from esurety.web.api_token_forms import SuretyTokenForm, TokenForm, token_form_submit, token_revoke_submit


@require_http_methods(["GET", "POST"])
@staff_required
def surety_tokens(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    allowed = user.surety is not None and can_manage_tokens(user, surety=user.surety)
    form, issued = token_form_submit(
        request,
        SuretyTokenForm,
        lambda data: api_token_create(by=user, name=data["name"], role=data["role"], surety=user.surety, now=now()),
        allowed=allowed,
    )
    return render(
        request,
        "office/api_tokens.html",
        {
            "office_tab": "api",
            "orderer": None,
            "tokens": selectors.tokens_of_surety(user=user),
            "form": form,
            "allowed": allowed,
            "issued": issued,
        },
        status=400 if form.errors else 200,
    )


def _orderer_or_404(pk: int) -> Orderer:
    orderer = Orderer.objects.filter(pk=pk).first()
    if orderer is None:
        raise Http404("発注者が見つかりません。")
    return orderer


@require_http_methods(["GET", "POST"])
@staff_required
def orderer_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    orderer = _orderer_or_404(pk)
    allowed = can_manage_tokens(user, orderer=orderer)
    form, issued = token_form_submit(
        request,
        TokenForm,
        lambda data: api_token_create(by=user, name=data["name"], orderer=orderer, now=now()),
        allowed=allowed,
    )
    return render(
        request,
        "office/api_tokens.html",
        {
            "office_tab": "orderers",
            "orderer": orderer,
            "tokens": selectors.tokens_of_orderer(user=user, orderer=orderer),
            "form": form,
            "allowed": allowed,
            "issued": issued,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    token = ApiToken.objects.select_related("orderer", "surety", "created_by").filter(pk=pk).first()
    if token is None or not can_manage_token(user, token):
        raise Http404("APIトークンが見つかりません。")
    token_revoke_submit(request, token, user)
    if token.orderer_id is not None:
        return redirect("office:orderer_api_tokens", pk=token.orderer_id)
    return redirect("office:api_tokens")
