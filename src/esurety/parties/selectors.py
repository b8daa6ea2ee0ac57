"""Reads of the parties app: who keeps an orderer's contact data, who hears of its changes, its history."""

from __future__ import annotations

from django.db.models import QuerySet

from esurety.audit.models import AuditEntry
from esurety.parties.models import Orderer, Role, User


def orderer_has_admin(orderer: Orderer) -> bool:
    """Whether the orderer has its own active 管理者: from then on it manages its people, tokens
    and the departments its notices go to itself."""
    return User.objects.filter(orderer=orderer, role=Role.ORG_ADMIN, is_active=True).exists()


def orderer_admins(orderer: Orderer) -> QuerySet[User]:
    """The orderer's own active 管理者 (people, not API tokens' system users)."""
    return User.objects.filter(orderer=orderer, role=Role.ORG_ADMIN, is_active=True, api_token__isnull=True)


def surety_admins_serving(orderer: Orderer) -> QuerySet[User]:
    """The active 管理者 of every surety that has guarantees for the orderer: their key notices
    and mails go to the orderer's departments."""
    return User.objects.filter(
        role=Role.SURETY_ADMIN,
        is_active=True,
        api_token__isnull=True,
        surety__guarantees__orderer=orderer,
    ).distinct()


def orderer_history(*, orderer: Orderer) -> QuerySet[AuditEntry]:
    """Every change of the orderer's data, newest first, whoever made it (any surety, the orderer).

    Orderers are shared by the sureties, so their history is too: the caller
    only has to be allowed to see the orderer.
    """
    return (
        AuditEntry.objects.filter(object_type=Orderer.__name__, object_id=str(orderer.pk))
        .select_related("actor", "actor__surety", "actor__orderer")
        .order_by("-at", "-id")
    )
