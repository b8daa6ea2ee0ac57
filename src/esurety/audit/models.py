"""Append-only, hash-chained audit log: one entry per state change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    at = models.DateTimeField("日時", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("実行者", max_length=150)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("対象", max_length=60)
    object_id = models.CharField("対象ID", max_length=40)
    surety_id_scope = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The branch whose business the entry is about (a guarantee's, an application's, an import's
    # uploader's …), so that staff bound to a branch read only their branch's entries (the rule of
    # the office pages). Null: not a branch's (orderers, rates, the surety's own settings).
    # A visibility key derived from the target, like an index: not part of the hashed content.
    branch_id_scope = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField("変更前", null=True, blank=True)
    after = models.JSONField("変更後", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_by_object"),
            models.Index(fields=["branch_id_scope", "-at"], name="audit_by_branch"),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        # Integrity guard: entries are appended, never rewritten.
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)


class AuditChainHead(models.Model):
    """Single row holding the newest hash; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64)
