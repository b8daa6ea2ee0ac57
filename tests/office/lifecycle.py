"""Helpers for the back-office lifecycle tests: more staff, another branch and surety, receipts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.core.clock import TOKYO
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee, NumberSeries
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Branch, Role, User
from esurety.verification import services as verification
from esurety.verification.models import Receipt
from tests.factories import World, make_surety, make_user

NOW = dt.datetime(2026, 4, 20, 10, 0, tzinfo=TOKYO)
LATER = NOW + dt.timedelta(days=7)


@dataclass
class Office:
    """Staff around the seed's world: a second approver, an administrator, a branch manager,
    a clerk of another branch and a member of another surety."""

    approver2: User
    admin: User
    manager: User
    other_branch: Branch
    other_branch_clerk: User
    other_surety_staff: User


def make_office(world: World) -> Office:
    other_branch = Branch.objects.create(
        surety=world.surety, name="徳島支店", address="徳島市幸町1-1", tel="088-000-0000"
    )
    NumberSeries.objects.create(
        branch=other_branch, kind="", first_number=2_080_000_001, last_number=2_080_099_999, next_number=2_080_000_001
    )
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_010_000_001)
    return Office(
        approver2=make_user("approver2", surety=world.surety, role=Role.APPROVER),
        admin=make_user("suretyadmin", surety=world.surety, role=Role.SURETY_ADMIN),
        manager=make_user("manager", surety=world.surety, role=Role.BRANCH_MANAGER),
        other_branch=other_branch,
        other_branch_clerk=make_user("tokushima", surety=world.surety, branch=other_branch, role=Role.APPROVER),
        other_surety_staff=make_user("eastadmin", surety=other_surety, role=Role.SURETY_ADMIN),
    )


def receive(world: World, guarantee: Guarantee, *, user: User | None = None, at: dt.datetime = NOW) -> Receipt:
    """The orderer verifies number + key, as on the 保証確認サービス."""
    key = services.access_key_plain(guarantee=guarantee)
    assert key is not None
    return verification.certificate_verify(
        user=user or world.orderer_user, number=guarantee.number, key=key, client_ip="192.0.2.10", now=at
    )


def mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("id"))


def recipients(template: str) -> list[str]:
    return sorted(address for m in mails(template) for address in m.to)
