"""Bearer tokens: who is calling, and whether this kind of token may call this operation.

A missing, malformed, unknown or revoked token is a 401; a live token of
another kind (an orderer's token on a surety's or a bank's operation, …) is a 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from esurety.core.clock import now
from esurety.integrations.models import ApiToken, ApiTokenKind
from esurety.integrations.selectors import token_for_secret
from esurety.integrations.services import api_token_record_use
from esurety.parties.models import User


class TokenAuth(HttpBearer):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_secret(token.strip())
        if found is None:
            return None
        if found.kind != self.kind:
            raise AuthorizationError()
        api_token_record_use(token=found, now=now())
        return found


orderer_auth = TokenAuth(ApiTokenKind.ORDERER)
surety_auth = TokenAuth(ApiTokenKind.SURETY)
bank_auth = TokenAuth(ApiTokenKind.BANK)


def token_user(request: HttpRequest) -> User:
    """The system user the request's token acts as (set by TokenAuth before any operation runs)."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise AuthorizationError()
    return token.user
