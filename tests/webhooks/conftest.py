from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role, User
from esurety.verification import services as verification
from esurety.webhooks import services
from esurety.webhooks.models import events_for_owner
from tests.factories import World, make_user
from tests.webhooks.receiver import receiver

__all__ = ["receiver"]


@dataclass
class Admins:
    orderer: User  # 徳島市上下水道事業管理者's administrator
    surety: User  # 西日本建設業保証's administrator (head office)


@pytest.fixture
def admins(world: World) -> Admins:
    return Admins(
        orderer=make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN),
        surety=make_user("suretyadmin", surety=world.surety, role=Role.SURETY_ADMIN),
    )


def subscribe(user: User, url: str, events: list[str] | None = None) -> services.CreatedEndpoint:
    owner = user.orderer or user.surety
    assert owner is not None
    return services.webhook_endpoint_create(
        owner=owner, by=user, url=url, events=events or list(events_for_owner(owner)), now=timezone.now()
    )


def key_of(g: Guarantee) -> str:
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    return key


def verify(user: User, g: Guarantee) -> None:
    """The orderer enters number + key: the guarantee becomes visible to its organisation."""
    verification.certificate_verify(
        user=user, number=g.number, key=key_of(g), client_ip="192.0.2.1", now=timezone.now()
    )
