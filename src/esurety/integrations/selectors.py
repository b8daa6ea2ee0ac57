"""Reads of API tokens: the token behind a bearer secret, and the tokens a page may list."""

from __future__ import annotations

from django.db.models import QuerySet

from esurety.integrations.models import ApiToken
from esurety.integrations.tokens import looks_like_token, secret_digest
from esurety.parties.models import DepositBank, Orderer, User
from esurety.parties.permissions import can_manage_tokens


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token for a presented secret, with its system user and organisation; None otherwise.

    One indexed query. The digest is of 256 random bits, so looking it up is
    not a timing oracle (nobody can steer a guess towards a stored digest).
    """
    if not looks_like_token(secret):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__orderer", "user__surety", "user__deposit_bank")
        .filter(digest=secret_digest(secret))
        .first()
    )
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def tokens_of_orderer(*, user: User, orderer: Orderer) -> QuerySet[ApiToken]:
    """An orderer's tokens, newest first, for whoever may manage them; nothing for anyone else."""
    if not can_manage_tokens(user, orderer=orderer):
        return ApiToken.objects.none()
    tokens = ApiToken.objects.filter(orderer=orderer)
    if user.orderer_id != orderer.pk:
        # Surety staff: only what their own surety's staff issued (see parties.permissions.can_manage_token).
        tokens = tokens.filter(created_by__surety_id=user.surety_id)
    return tokens.select_related("created_by", "revoked_by").order_by("-created_at")


def tokens_of_surety(*, user: User) -> QuerySet[ApiToken]:
    """The tokens of the user's own surety, for its 管理者; nothing for anyone else."""
    if user.surety is None or not can_manage_tokens(user, surety=user.surety):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(surety_id=user.surety_id)
        .select_related("user", "created_by", "revoked_by")
        .order_by("-created_at")
    )


def tokens_of_bank(*, user: User, bank: DepositBank) -> QuerySet[ApiToken]:
    """A deposit bank's tokens, newest first, for its 管理者; nothing for anyone else."""
    if not can_manage_tokens(user, bank=bank):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(deposit_bank=bank)
        .select_related("user", "created_by", "revoked_by")
        .order_by("-created_at")
    )
