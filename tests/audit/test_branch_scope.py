"""AuditEntry.branch_id_scope: written with every entry, and filled in for entries written before it."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_record, audit_verify
from esurety.parties.models import Branch, Role
from tests.factories import World, make_guarantee, make_user


def test_entries_carry_the_branch_of_their_target_and_old_ones_get_it_back(world: World) -> None:
    g = make_guarantee(world)
    staff = make_user("otsuka-clerk", surety=world.surety, branch=world.branch, role=Role.CLERK)
    with transaction.atomic():
        audit_record(actor=staff, action="user.password_set", obj=staff, at=timezone.now(), surety_id=world.surety.pk)
    written = dict(AuditEntry.objects.values_list("action", "branch_id_scope"))
    assert written["application.create"] == world.branch.pk  # the application's
    assert written["certificate.issue"] == world.branch.pk  # its guarantee's
    assert written["user.password_set"] == world.branch.pk  # a branch's staff member
    assert Branch.objects.count() == 1 and g.branch_id == world.branch.pk

    # As before the column existed: the migration fills it from the targets.
    before = dict(AuditEntry.objects.values_list("pk", "branch_id_scope"))
    AuditEntry.objects.update(branch_id_scope=None)
    migration = importlib.import_module("esurety.audit.migrations.0003_branch_scope")
    migration.backfill(apps, connection.schema_editor())
    assert dict(AuditEntry.objects.values_list("pk", "branch_id_scope")) == before
    assert audit_verify() is None  # not part of the hashed content
