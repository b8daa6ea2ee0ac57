"""Who may enter the bank portal: a signed-in, active user of a deposit bank; everyone else gets 404.

Which accounts and requests each of them sees (the whole bank, or one branch) is
decided by the advances selectors, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

from esurety.parties.models import User
from esurety.parties.permissions import can_manage_bank_users, is_active_bank_user

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def bank_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_active_bank_user(user):
        raise Http404
    return user


def bank_admin(request: HttpRequest) -> User:
    """The bank's 管理者 (head office): the users page does not exist for anyone else."""
    user = bank_user(request)
    if not can_manage_bank_users(user):
        raise Http404
    return user


def bank_required(view: View[P]) -> View[P]:
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        bank_user(request)
        response = view(request, *args, **kwargs)
        # Payees' accounts and amounts: never kept by a browser or a proxy.
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped
