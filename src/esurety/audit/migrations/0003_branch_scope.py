# The branch each audit entry is about, so that branch-bound staff read only their branch's
# entries (issue 11, item 9). Existing entries get it from their target, type by type.

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.functions import Cast

# object_type in the log → (app, model, path to the branch)
TARGETS = (
    ("Guarantee", "guarantees", "Guarantee", "branch_id"),
    ("Application", "guarantees", "Application", "branch_id"),
    ("Certificate", "guarantees", "Certificate", "guarantee__branch_id"),
    ("Amendment", "guarantees", "Amendment", "guarantee__branch_id"),
    ("AmendmentRequest", "guarantees", "AmendmentRequest", "guarantee__branch_id"),
    ("AccessKey", "guarantees", "AccessKey", "guarantee__branch_id"),
    ("PremiumStatement", "guarantees", "PremiumStatement", "guarantee__branch_id"),
    ("ImportBatch", "guarantees", "ImportBatch", "uploaded_by__branch_id"),
    ("Receipt", "verification", "Receipt", "guarantee__branch_id"),
    ("NoticeDispatch", "verification", "NoticeDispatch", "guarantee__branch_id"),
    ("User", "parties", "User", "branch_id"),
)


def backfill(apps: Any, schema_editor: Any) -> None:
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for object_type, app, model_name, path in TARGETS:
        model = apps.get_model(app, model_name)
        # Only rows of this type are cast: their object_id is the target's numeric primary key.
        branch = model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(path)[:1]
        AuditEntry.objects.filter(object_type=object_type).update(branch_id_scope=Subquery(branch))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_initial"),
        ("guarantees", "0006_import_batch"),
        ("verification", "0003_receipt_time_in_view_records"),
        ("parties", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="branch_id_scope",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["branch_id_scope", "-at"], name="audit_by_branch"),
        ),
    ]
