"""Whose webhooks a user may see and manage: their own organisation's, as its administrator.

A surety's administrator bound to a branch is refused: the delivery log names
guarantees of every branch, and branch staff see their own branch only.
"""

from __future__ import annotations

from django.db.models import QuerySet

from esurety.parties.models import DepositBank, Orderer, Role, SuretyCompany, User
from esurety.webhooks.models import WebhookDelivery, WebhookEndpoint

Owner = SuretyCompany | Orderer | DepositBank


def webhook_owner_for(user: User) -> Owner | None:
    """The organisation whose webhooks this user administers, or None."""
    if not user.is_active:
        return None
    if user.orderer_id is not None and user.role == Role.ORG_ADMIN:
        return user.orderer
    if user.surety_id is not None and user.role == Role.SURETY_ADMIN and user.branch_id is None:
        return user.surety
    # Like a surety's branch administrator, a bank branch's is refused: the log names every branch's accounts.
    if user.deposit_bank_id is not None and user.role == Role.ORG_ADMIN and user.bank_branch_id is None:
        return user.deposit_bank
    return None


def owner_field(owner: Owner) -> str:
    """The WebhookEndpoint column that names this owner."""
    if isinstance(owner, SuretyCompany):
        return "surety"
    if isinstance(owner, DepositBank):
        return "deposit_bank"
    return "orderer"


def _owned_by(owner: Owner) -> dict[str, int]:
    return {f"{owner_field(owner)}_id": owner.pk}


def webhook_endpoints_for(*, owner: Owner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(**_owned_by(owner)).order_by("-is_active", "-created_at", "-id")


def webhook_deliveries_for(*, owner: Owner, status: str = "") -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(
        endpoint__in=WebhookEndpoint.objects.filter(**_owned_by(owner)).values("pk")
    ).select_related("endpoint", "guarantee")
    if status:
        qs = qs.filter(status=status)
    return qs.defer("payload").order_by("-created_at", "-id")
