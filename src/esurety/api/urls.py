"""URLs of /api/v1/: ninja's operations, JSON for a wrong method, and a JSON 404 for everything else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from esurety.api.main import api
from esurety.web.errors import json_error

View = Callable[..., HttpResponseBase]


def _json_not_allowed(view: View) -> View:
    # ninja answers a method no operation takes with a plain-text 405; integrators get JSON everywhere.
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            message = "このURLでは、この操作（HTTPメソッド）は使えません。"
            return json_error(405, "method_not_allowed", message, Allow=response["Allow"])
        return response

    return wrapped


# Exempt like ninja's own operations: an integrator's POST to a wrong URL learns "no such API", not "CSRF".
@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return json_error(404, "not_found", "このURLのAPIはありません。")


# The namespace ninja reverses for its documentation page ("api-v1:openapi-json").
ninja_patterns, _, app_name = api.urls
for pattern in ninja_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = _json_not_allowed(pattern.callback)

urlpatterns: list[URLPattern | URLResolver] = [
    *ninja_patterns,
    re_path(r"^(?P<path>.*)$", not_found),
]
