"""APIトークン of the 保証確認サービス: the orderer's administrator issues and revokes the tokens of
the organisation's own systems (電子契約システム); anyone else gets 404.

The secret is shown once, on the page that answers the issuing POST.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from esurety.core.clock import now
from esurety.integrations import selectors
from esurety.integrations.models import ApiToken
from esurety.integrations.services import api_token_create
from esurety.parties.models import Orderer, User
from esurety.parties.permissions import can_manage_tokens
from esurety.verify.access import orderer_required, orderer_user
from esurety.web.api_token_forms import TokenForm, token_form_submit, token_revoke_submit


def _admin(request: HttpRequest) -> tuple[User, Orderer]:
    user = orderer_user(request)
    if user.orderer is None or not can_manage_tokens(user, orderer=user.orderer):
        raise Http404
    return user, user.orderer


@require_http_methods(["GET", "POST"])
@orderer_required
def tokens(request: HttpRequest) -> HttpResponse:
    user, orderer = _admin(request)
    form, issued = token_form_submit(
        request, TokenForm, lambda data: api_token_create(by=user, name=data["name"], orderer=orderer, now=now())
    )
    return render(
        request,
        "verify/api_tokens.html",
        {
            "orderer": orderer,
            "tokens": selectors.tokens_of_orderer(user=user, orderer=orderer),
            "form": form,
            "issued": issued,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@orderer_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user, orderer = _admin(request)
    token = ApiToken.objects.filter(pk=pk, orderer=orderer).first()
    if token is None:
        raise Http404
    token_revoke_submit(request, token, user)
    return redirect("verify:api_tokens")


urlpatterns = [
    path("", tokens, name="api_tokens"),
    path("<int:pk>/revoke/", token_revoke, name="api_token_revoke"),
]
