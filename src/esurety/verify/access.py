"""Who may enter the verification portal: a signed-in, active user of an orderer organisation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

from esurety.parties.models import User
from esurety.parties.permissions import is_orderer_user

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def orderer_user(request: HttpRequest) -> User:
    user = request.user
    if not is_orderer_user(user):
        raise Http404
    return user


def orderer_required(view: View[P]) -> View[P]:
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        orderer_user(request)
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped
