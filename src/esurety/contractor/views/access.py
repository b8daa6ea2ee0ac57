"""Who may enter the contractor portal: a signed-in, active user of a contractor company.

Anyone else signed in (orderer users, surety staff, superusers) gets 404, not
403: the portal does not even admit to existing for them, as for another
company's objects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control

from esurety.parties.models import User
from esurety.parties.permissions import is_contractor_user

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def portal_user(request: HttpRequest) -> User:
    """The contractor user of a request that passed contractor_required."""
    user = request.user
    if not is_contractor_user(user):
        raise Http404
    return user


def contractor_required(view: View[P]) -> View[P]:
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        portal_user(request)
        response = view(request, *args, **kwargs)
        # Pages carry one company's data: never store them in a shared cache.
        patch_cache_control(response, private=True)
        return response

    return wrapped


def no_store(response: R) -> R:
    """Pages and files that show an access key must not stay in any cache, the browser's included."""
    add_never_cache_headers(response)
    return response
