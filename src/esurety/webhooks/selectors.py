"""Whose webhooks a user may see and manage: their own organisation's, as its administrator
(who that is: parties.permissions.webhook_owner_administered_by)."""

from __future__ import annotations

from django.db.models import QuerySet

from esurety.parties.models import DepositBank, Orderer, SuretyCompany, User
from esurety.parties.permissions import webhook_owner_administered_by
from esurety.webhooks.models import WebhookDelivery, WebhookEndpoint

Owner = SuretyCompany | Orderer | DepositBank


def webhook_owner_for(user: User) -> Owner | None:
    """The organisation whose webhooks this user administers, or None (the rule: parties.permissions)."""
    return webhook_owner_administered_by(user)


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
