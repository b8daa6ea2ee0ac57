"""audit.changes: the write's tail every service shares (snapshot → save → one entry)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from esurety.audit.changes import audited_change, audited_create
from esurety.audit.models import AuditEntry
from esurety.parties.models import Orderer, User
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def user_state(user: User) -> dict[str, Any]:
    return {"is_active": user.is_active, "email": user.email}


def test_a_change_saves_its_fields_and_records_before_and_after(world: World) -> None:
    # A user has no updated_at: only the changed field is written.
    user = make_user("leaver", contractor=world.contractor)
    now = timezone.now()
    with transaction.atomic():
        audited_change(
            user,
            by=world.contractor_user,
            now=now,
            action="user.remove",
            changes={"is_active": False},
            snapshot=user_state,
            surety_id=None,
            after_extra={"why": "test"},
        )
    user.refresh_from_db()
    assert user.is_active is False
    entry = AuditEntry.objects.get(action="user.remove", object_id=str(user.pk))
    assert entry.before == {"is_active": True, "email": user.email}
    assert entry.after == {"is_active": False, "email": user.email, "why": "test"}


def test_a_timestamped_row_gets_its_updated_at_and_a_new_row_is_saved_once(world: World) -> None:
    now = timezone.now()
    with transaction.atomic():
        orderer = audited_create(
            Orderer(name="新しい発注者"),
            by=world.clerk,
            now=now,
            action="orderer.create",
            snapshot=lambda o: {"name": o.name},
            surety_id=world.surety.pk,
        )
    assert orderer.pk is not None
    stamped = orderer.updated_at
    with transaction.atomic():
        audited_change(
            orderer,
            by=world.clerk,
            now=now,
            action="orderer.update",
            changes={"name": "改名した発注者"},
            snapshot=lambda o: {"name": o.name},
            surety_id=world.surety.pk,
        )
    orderer.refresh_from_db()
    assert orderer.name == "改名した発注者" and orderer.updated_at > stamped
    assert list(
        AuditEntry.objects.filter(object_type="Orderer", object_id=str(orderer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "orderer.create",
        "orderer.update",
    ]


def test_either_changes_or_edit(world: World) -> None:
    for kwargs in ({}, {"changes": {"email": "x@example.com"}, "edit": lambda u: None}):
        with pytest.raises(TypeError), transaction.atomic():
            audited_change(
                world.clerk,
                by=world.clerk,
                now=timezone.now(),
                action="user.remove",
                snapshot=user_state,
                surety_id=None,
                **kwargs,  # type: ignore[arg-type]
            )
    assert not AuditEntry.objects.filter(action="user.remove").exists()
