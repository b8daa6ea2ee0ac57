"""Who may enter the back office: an active staff member of a surety company.

Everyone else gets 404 (the office does not admit to existing for them).
Branch staff see their branch only: that scoping lives in the selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

from esurety.parties.models import User
from esurety.parties.permissions import is_active_staff

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_active_staff(user):
        raise Http404
    return user


def staff_required(view: View[P]) -> View[P]:
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff_user(request)
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapped
