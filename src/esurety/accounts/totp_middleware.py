"""The second factor for surety staff, enforced on every request (not only at the login form).

A staff member who has TOTP set up is logged in by the password form but
may open nothing except the code page (and logout) until a code from the
authenticator app is accepted in this session. Outside the demo and the
tests (settings.STAFF_TOTP_REQUIRED), staff without TOTP are sent to set it
up first. Enforcing it here also covers /admin/ and any other way in.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from esurety.accounts import totp
from esurety.parties.permissions import is_active_staff

VERIFIED_KEY = "_esurety_staff_totp_ok"
VERIFY_PATH = "/office/totp/verify/"
SETUP_PATH = "/office/totp/"
ALWAYS_OPEN = ("/logout/",)


def mark_verified(request: HttpRequest) -> None:
    # A new session key once the second factor is in, like Django does at login.
    request.session.cycle_key()
    request.session[VERIFIED_KEY] = request.user.pk


def is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(VERIFIED_KEY) == request.user.pk)


class StaffTotpMiddleware:
    """Must come after AuthenticationMiddleware (and IdleTimeoutMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not is_active_staff(user) or is_verified(request):
            return self.get_response(request)
        path = request.path_info
        if path.startswith(ALWAYS_OPEN) or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        enrolled = totp.has_totp(user)
        if enrolled:
            if path == VERIFY_PATH:
                return self.get_response(request)
            return HttpResponseRedirect(f"{VERIFY_PATH}?{urlencode({'next': request.get_full_path()})}")
        if getattr(settings, "STAFF_TOTP_REQUIRED", True) and path != SETUP_PATH:
            return HttpResponseRedirect(SETUP_PATH)
        return self.get_response(request)
