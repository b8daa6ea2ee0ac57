# The audit entries of the advance money were written without a branch (audit.services.branch_of did not
# follow an account, a statement or a claim to its guarantee), so branch-bound staff did not read them.
# This fills AuditEntry.branch_id_scope of those written before, from their targets; it lives here, not in
# the audit app, which knows nothing of the apps above it.

from typing import Any

from django.db import migrations
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.functions import Cast

# object_type in the log → (model, path to the branch)
TARGETS = (
    ("Deposit", "account__guarantee__branch_id"),
    ("UseStatement", "account__guarantee__branch_id"),
    ("Withdrawal", "account__guarantee__branch_id"),
    ("ProofDocument", "statement__account__guarantee__branch_id"),
)
CHUNK = 1000


def _deleted_proofs(apps: Any) -> None:
    """A proof taken off a draft is deleted with its row: its entries name the guarantee (attach)
    or the file's SHA-256, which the same file's row on an earlier version of the statement keeps."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Guarantee = apps.get_model("guarantees", "Guarantee")
    ProofDocument = apps.get_model("advances", "ProofDocument")
    found: dict[int, list[int]] = {}
    left = AuditEntry.objects.filter(object_type="ProofDocument", branch_id_scope__isnull=True)
    for pk, surety_id, before, after in left.values_list("pk", "surety_id_scope", "before", "after").iterator():
        snapshot = after or before or {}
        branch = None
        if snapshot.get("guarantee"):
            branch = (
                Guarantee.objects.filter(number=snapshot["guarantee"], surety_id=surety_id)
                .values_list("branch_id", flat=True)
                .first()
            )
        elif snapshot.get("sha256"):
            branch = (
                ProofDocument.objects.filter(
                    sha256=snapshot["sha256"], statement__account__guarantee__surety_id=surety_id
                )
                .values_list("statement__account__guarantee__branch_id", flat=True)
                .first()
            )
        if branch is not None:
            found.setdefault(branch, []).append(pk)
    for branch, ids in found.items():
        for start in range(0, len(ids), CHUNK):
            AuditEntry.objects.filter(pk__in=ids[start : start + CHUNK]).update(branch_id_scope=branch)


def backfill(apps: Any, schema_editor: Any) -> None:
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for object_type, path in TARGETS:
        model = apps.get_model("advances", object_type)
        # Only rows of this type are cast: their object_id is the target's numeric primary key.
        branch = model.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField())).values(path)[:1]
        AuditEntry.objects.filter(object_type=object_type, branch_id_scope__isnull=True).update(
            branch_id_scope=Subquery(branch)
        )
    _deleted_proofs(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("advances", "0002_withdrawal_composite_indexes_only"),
        ("audit", "0003_branch_scope"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
