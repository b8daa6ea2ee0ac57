"""Error answers of the whole site: Japanese pages in the site layout, JSON under /api/.

Django calls these for 400, 403, 404 and 500 (config/urls.py: handler400 …) and for a
failed CSRF check (settings.CSRF_FAILURE_VIEW); a middleware gives the empty 405 of
require_POST its page. A person gets a Japanese page that says
what happened and links back to where they can go on (their own portal, the home page,
the login); an integrator calling /api/ gets the API's JSON ``{"code", "message"}``
instead, even for URLs no API operation answers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.urls import Resolver404
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from esurety.accounts.views import landing_url

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
HOME = "/"
LOGIN = "/login/"


@dataclass(frozen=True)
class Portal:
    prefix: str
    name: str
    needs_login: bool = True


# The parts of the site a person can be sent back to, by the path they were on.
PORTALS = (
    Portal("/contractor/", "電子証書の確認（受注者用）"),
    Portal("/verify/", "保証確認サービス（発注者用）"),
    Portal("/office/", "業務システム（保証事業会社用）"),
    Portal("/bank/", "前払金払出サービス（預託金融機関用）"),
    Portal("/admin/", "管理サイト"),
    Portal("/check/", "書類の真正性確認", needs_login=False),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def json_error(status: int, code: str, message: str, **headers: str) -> HttpResponse:
    """The API's error shape, for answers given outside ninja's operations."""
    response = HttpResponse(
        json.dumps(error_body(code, message), ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _portal_of(path: str) -> Portal | None:
    return next((p for p in PORTALS if path.startswith(p.prefix)), None)


def _signed_in_user(request: HttpRequest) -> Any:
    # An error page must not fail in turn: a broken session reads as signed out.
    try:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    except Exception:
        logger.exception("error page: could not read the signed-in user")
        return None


def ways_back(request: HttpRequest) -> dict[str, Any]:
    """Where a person can go on from an error: their own portal first, then home or login.

    ``elsewhere`` names the portal of the path when it is not the signed-in user's own
    (a contractor who followed 「業務システムへ」), so the page can say why it is closed.
    """
    portal = _portal_of(request.path)
    user = _signed_in_user(request)
    links: list[Link] = []
    elsewhere: Portal | None = None
    if user is not None:
        own = _portal_of(landing_url(user))
        if own is not None:
            links.append(Link(f"{own.name}のトップへ", own.prefix))
        if portal is not None and portal.needs_login and portal != own:
            elsewhere = portal
    elif portal is not None and not portal.needs_login:
        links.append(Link(f"{portal.name}のトップへ", portal.prefix))
    links.append(Link("ホームへ", HOME))
    if user is None:
        links.append(Link("ログイン", LOGIN))
    return {"links": links, "elsewhere": elsewhere, "signed_in": user is not None}


def _page(request: HttpRequest, template: str, status: int, context: dict[str, Any]) -> HttpResponse:
    body = loader.render_to_string(template, {**ways_back(request), **context}, request)
    return HttpResponse(body, status=status)


def _japanese_message(exception: Exception | None) -> str:
    """The message of an Http404 / PermissionDenied raised by our own code ("…が見つかりません。").

    Django's own messages (resolver details, "No … matches the given query.") are
    English and name internals: those are never shown.
    """
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    return message if isinstance(message, str) and message.endswith("。") else ""


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        code, message = "too_large", "送信されたデータが大きすぎます。"
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        code, message = "too_many_fields", "送信された項目またはファイルが多すぎます。"
    elif isinstance(exception, DisallowedHost):
        code, message = "bad_host", "このアドレス（ホスト名）ではご利用いただけません。"
    else:
        code, message = "bad_request", "リクエストを読み取れませんでした。"
    if is_api_request(request):
        status = 413 if code == "too_large" else 400
        return json_error(status, code, message)
    return _page(request, "400.html", 400, {"message": message})


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _japanese_message(exception)
    if is_api_request(request):
        return json_error(403, "forbidden", message or "この操作は許可されていません。")
    return _page(request, "403.html", 403, {"message": message})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _japanese_message(exception) if isinstance(exception, Http404) else ""
    if is_api_request(request):
        return json_error(404, "not_found", message or "このURLのAPIはありません。")
    return _page(request, "404.html", 404, {"message": message})


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    """A POST-only address opened from a bookmark, the history or the address bar."""
    if is_api_request(request):
        response = json_error(405, "method_not_allowed", "このURLでは、この操作（HTTPメソッド）は使えません。")
    else:
        response = _page(request, "405.html", 405, {})
    response["Allow"] = allowed
    return response


class MethodNotAllowedPageMiddleware:
    """Django's require_POST & co. answer 405 with an empty body: give it the site's page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            return method_not_allowed(request, response["Allow"])
        return response


SERVER_ERROR_MESSAGE = (
    "申し訳ありません。サーバーで問題が発生したため、処理を完了できませんでした。時間をおいて再度お試しください。"
)
# The last resort when even 500.html cannot be rendered: no template, no database.
_BARE_500 = (
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>エラー | esurety</title></head>'
    f'<body><h1>システムエラー</h1><p>{SERVER_ERROR_MESSAGE}</p><p><a href="/">ホームへ</a></p></body></html>'
)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 answer: rendered without the request, so no session, user or database is read."""
    if is_api_request(request):
        return json_error(500, "server_error", SERVER_ERROR_MESSAGE)
    body: str
    try:
        links = [Link("ホームへ", HOME), Link("ログイン", LOGIN)]
        context = {"message": SERVER_ERROR_MESSAGE, "links": links, "user": AnonymousUser()}
        body = loader.render_to_string("500.html", context)
    except Exception:
        logger.exception("500.html could not be rendered")
        body = _BARE_500
    return HttpResponse(body, status=500)


def _safe_referer(request: HttpRequest) -> str:
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return referer
    return ""


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (another tab logged in or out, an old tab) or without cookies."""
    no_cookie = reason == REASON_NO_CSRF_COOKIE
    if is_api_request(request):
        message = "このリクエストは受け付けられません（APIは Authorization: Bearer <トークン> で呼び出してください）。"
        return json_error(403, "csrf_failed", message)
    context = ways_back(request)
    referer = _safe_referer(request)
    if referer:
        # A fresh GET of the page the form came from hands out a valid token again.
        context["links"] = [Link("前の画面を開き直す", referer), *context["links"]]
    body = loader.render_to_string("403_csrf.html", {**context, "no_cookie": no_cookie}, request)
    return HttpResponse(body, status=403)
