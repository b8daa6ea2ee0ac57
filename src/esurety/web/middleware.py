"""Site-wide middleware: the Content-Security-Policy of every page; requests that would otherwise
end in a 500: a missing signing key (503), a form in a foreign charset (400)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

from esurety.core.errors import NotFound
from esurety.signing.keys import SigningKeyMissing

logger = logging.getLogger(__name__)

SIGNING_UNAVAILABLE = (
    "署名用の鍵が設定されていないため、現在この書類を発行できません。"
    "時間をおいて再度お試しいただくか、運営者にお問い合わせください。"
)


def signing_unavailable(exc: SigningKeyMissing) -> None:
    # The message names the missing file: for the log, never for the page.
    logger.error("signing key missing: %s", exc)


class SigningUnavailableMiddleware:
    """A missing signing key is the operator's problem, not the user's: say so with a 503, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SigningKeyMissing):
            return None
        signing_unavailable(exception)
        response = HttpResponse(SIGNING_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "600"
        return response


class NotFoundMiddleware:
    """The domain's NotFound (core.errors) is the pages' 404, with the site's 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every HTML page.

    The policy allows scripts and styles only from the site's own files: no inline
    ``<script>``, no ``on*=`` handler, no ``style=""`` attribute runs, so an injected
    fragment of markup cannot run script. Templates keep their JS and CSS in static files.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if settings.DEBUG and response.status_code in (404, 500):
            # Django's technical 404/500 pages (DEBUG only) are built on inline script and style.
            return response
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


FORM_ENCODING_REFUSED = (
    "フォームの文字コードが UTF-8 ではないため、受け付けられません。ページを開き直して送信してください。"
)


class FormEncodingMiddleware:
    """A form POST declared in another charset (charset=shift_jis) is a 400, not a 500.

    Django refuses such a body with BadRequest when request.POST is first read,
    but does not mark the body as unreadable: its 400 handler, which checks the
    CSRF token, reads request.POST again, fails again, and the answer becomes a
    500. Reading the form here, before CsrfViewMiddleware, and marking it empty
    on failure lets the 400 page render. Only url-encoded bodies are read early
    (they are held in memory anyway); a multipart body is left to its view,
    which may choose its upload handlers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                request.POST  # noqa: B018 - reading is the check
            except BadRequest:
                # Django's own way to say "parsed, nothing usable", as after a broken multipart body.
                request._mark_post_parse_error()  # type: ignore[attr-defined]
                raise BadRequest(FORM_ENCODING_REFUSED) from None
        return self.get_response(request)
