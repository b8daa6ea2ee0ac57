"""A missing signing key is the operator's problem, not the user's: say so with a 503, not a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
