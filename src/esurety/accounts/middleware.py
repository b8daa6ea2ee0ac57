"""Log out sessions that have been idle too long (SESSION_IDLE_TIMEOUT, default 30 minutes).

SESSION_COOKIE_AGE bounds a session's total life (8 hours) and
SESSION_EXPIRE_AT_BROWSER_CLOSE ends it with the browser; neither ends a
session left open on an unattended office PC, which this does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_ACTIVITY_KEY = "_esurety_last_activity"
DEFAULT_IDLE_TIMEOUT = 30 * 60
# Writing the session on every request would cost a database write per page;
# a minute's precision is plenty for a 30-minute timeout.
TOUCH_INTERVAL = 60


def idle_timeout_seconds() -> int:
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT))


def mark_active(request: HttpRequest, now: float | None = None) -> None:
    request.session[LAST_ACTIVITY_KEY] = int(time.time() if now is None else now)


class IdleTimeoutMiddleware:
    """Must come after SessionMiddleware, AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = idle_timeout_seconds()
            if last is not None and now - float(last) > timeout:
                # The request goes on as anonymous: pages that need a login
                # send the user to /login/?next=…, public pages just show the note.
                logout(request)
                messages.info(
                    request,
                    f"{timeout // 60}分以上操作がなかったため、安全のためログアウトしました。"
                    "もう一度ログインしてください。",
                )
            elif last is None or now - float(last) >= TOUCH_INTERVAL:
                mark_active(request, now)
        return self.get_response(request)
