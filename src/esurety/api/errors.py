"""Every error of the API as JSON ``{"code", "message", "fields"}`` with the right 4xx.

Services raise DomainError (with RuleViolations for fields), the request
schemas raise pydantic errors, the auth raises 401/403: each is mapped here,
with a Japanese message, so that no bad input ever ends in a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from esurety.core.errors import DomainError, InvalidStateError, NotFound, NotPermitted, RuleViolation
from esurety.signing.keys import SigningKeyMissing
from esurety.verification.services import VerificationLocked, VerificationRefused
from esurety.web.errors import error_body
from esurety.web.middleware import SIGNING_UNAVAILABLE, signing_unavailable

UNAUTHORIZED = (
    "APIトークンがないか、正しくないか、失効しています。Authorization: Bearer <トークン> を指定してください。"
)
FORBIDDEN = "このAPIトークンでは利用できない操作です（発注者用と保証事業会社用のトークンは別です）。"
INVALID_INPUT = "入力に誤りがあります。"

_STATUS_MESSAGES = {
    400: ("bad_request", "リクエストの本文をJSONとして読み取れません。"),
    404: ("not_found", "見つかりません。"),
    405: ("method_not_allowed", "このURLでは、この操作（HTTPメソッド）は使えません。"),
    413: ("too_large", "リクエストが大きすぎます。"),
}

# pydantic's error types → Japanese, with its context ({max_length}, {ge}, …) filled in.
_PYDANTIC_MESSAGES = {
    "missing": "必須の項目です。",
    "string_type": "文字列で指定してください。",
    "int_type": "整数で指定してください。",
    "int_parsing": "整数で指定してください。",
    "int_from_float": "整数で指定してください。",
    "bool_type": "true または false で指定してください。",
    "bool_parsing": "true または false で指定してください。",
    "date_type": "日付（例: 2026-04-10）で指定してください。",
    "date_parsing": "日付（例: 2026-04-10）で指定してください。",
    "date_from_datetime_parsing": "日付（例: 2026-04-10）で指定してください。",
    "date_from_datetime_inexact": "日付（例: 2026-04-10）で指定してください。",
    "datetime_type": "日時（例: 2026-04-01T09:00:00+09:00）で指定してください。",
    "datetime_parsing": "日時（例: 2026-04-01T09:00:00+09:00）で指定してください。",
    "datetime_from_date_parsing": "日時（例: 2026-04-01T09:00:00+09:00）で指定してください。",
    "datetime_object_invalid": "日時（例: 2026-04-01T09:00:00+09:00）で指定してください。",
    "string_too_long": "{max_length}文字以内で指定してください。",
    "string_too_short": "{min_length}文字以上で指定してください。",
    "string_pattern_mismatch": "形式が正しくありません。",
    "greater_than_equal": "{ge}以上で指定してください。",
    "greater_than": "{gt}より大きい値を指定してください。",
    "less_than_equal": "{le}以下で指定してください。",
    "less_than": "{lt}より小さい値を指定してください。",
    "literal_error": "次のいずれかを指定してください: {expected}",
    "enum": "次のいずれかを指定してください: {expected}",
    "model_type": "JSONのオブジェクトで指定してください。",
    "model_attributes_type": "JSONのオブジェクトで指定してください。",
    "dict_type": "JSONのオブジェクトで指定してください。",
    "extra_forbidden": "この項目は指定できません。",
    "json_invalid": "JSONとして読み取れません。",
    "value_error": "値が正しくありません。",
}


def input_error(field: str, message: str) -> DomainError:
    """A bad value found by the API itself, answered like the services' own (422 with the field)."""
    return DomainError(INVALID_INPUT, [RuleViolation(field, message)])


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "payload", "work_name") → "work_name"; ("query", "since") → "since".
    parts = [str(p) for p in loc[1:]]
    if len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "request"


def _pydantic_message(error: dict[str, Any]) -> str:
    template = _PYDANTIC_MESSAGES.get(str(error.get("type")))
    if template is None:
        # Our own PydanticCustomError types carry a Japanese message already.
        msg = str(error.get("msg", ""))
        return msg if msg and not msg.isascii() else "値が正しくありません。"
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        # pydantic's "'A', 'B' or 'C'" in Japanese: A、B、C
        ctx["expected"] = "、".join(re.findall(r"'([^']*)'", str(ctx["expected"]))) or ctx["expected"]
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip("：: ") or "値が正しくありません。"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(tuple(error.get("loc", ())))
        message = _pydantic_message(error)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields


def violation_fields(violations: list[RuleViolation]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for v in violations:
        fields.setdefault(v.field or "request", []).append(v.message)
    return fields


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, error_body("invalid_input", INVALID_INPUT, validation_fields(exc.errors)))

    def on_unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, error_body("unauthorized", UNAUTHORIZED))
        response["WWW-Authenticate"] = 'Bearer realm="esurety"'
        return response

    def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, 403, error_body("forbidden", FORBIDDEN))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _STATUS_MESSAGES.get(exc.status_code, ("error", "リクエストを処理できません。"))
        return respond(request, exc.status_code, error_body(code, message))

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields: the request, not the server.
        status = 413 if isinstance(exc, RequestDataTooBig) else 400
        code, message = _STATUS_MESSAGES[status]
        if status == 400:
            message = "リクエストを読み取れません。"
        return respond(request, status, error_body(code, message))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The services' and selectors' Http404 messages are Japanese already.
        message = str(exc) if str(exc) and not str(exc).isascii() else _STATUS_MESSAGES[404][1]
        return respond(request, 404, error_body("not_found", message))

    def on_domain_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return respond(request, 404, error_body("not_found", str(exc) or _STATUS_MESSAGES[404][1]))

    def on_refused(request: HttpRequest, exc: VerificationRefused) -> HttpResponse:
        # Wrong number, wrong key and another orderer's certificate: one answer.
        return respond(request, 404, error_body("verification_refused", exc.message))

    def on_locked(request: HttpRequest, exc: VerificationLocked) -> HttpResponse:
        response = respond(request, 429, error_body("verification_locked", exc.message))
        response["Retry-After"] = str(max(1, exc.seconds))
        return response

    def on_not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        return respond(request, 403, error_body("not_permitted", exc.message))

    def on_invalid_state(request: HttpRequest, exc: InvalidStateError) -> HttpResponse:
        return respond(request, 409, error_body("invalid_state", exc.message))

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = violation_fields(exc.violations)
        return respond(request, 422, error_body("rule_violation" if fields else "rejected", exc.message, fields))

    def on_signing_unavailable(request: HttpRequest, exc: SigningKeyMissing) -> HttpResponse:
        signing_unavailable(exc)
        response = respond(request, 503, error_body("signing_unavailable", SIGNING_UNAVAILABLE))
        response["Retry-After"] = "600"
        return response

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ValidationError, on_validation),
        (AuthenticationError, on_unauthorized),
        (AuthorizationError, on_forbidden),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (NotFound, on_domain_not_found),
        (SuspiciousOperation, on_suspicious),
        (VerificationRefused, on_refused),
        (VerificationLocked, on_locked),
        (NotPermitted, on_not_permitted),
        (InvalidStateError, on_invalid_state),
        (DomainError, on_domain_error),
        (SigningKeyMissing, on_signing_unavailable),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
