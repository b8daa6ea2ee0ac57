"""The site's URLs plus views that fail on purpose, for the error-page tests (pytest.mark.urls)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from esurety.config.urls import handler400, handler403, handler404, handler500
from esurety.config.urls import urlpatterns as site_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def forbidden_with_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("この書類は承認者のみが発行できます。")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered input")


def api_post(request: HttpRequest) -> HttpResponse:
    # Not csrf_exempt: stands for any view under /api/ that ninja does not serve.
    return HttpResponse("{}", content_type="application/json")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/forbidden-reason/", forbidden_with_reason),
    path("test-errors/suspicious/", suspicious),
    path("api/test-errors/boom/", boom),
    path("api/test-errors/forbidden/", forbidden),
    path("api/test-errors/suspicious/", suspicious),
    path("api/test-errors/post/", api_post),
    *site_patterns,
]
