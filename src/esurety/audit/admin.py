"""Django admin for platform superusers: the audit log, view-only (entries are append-only)."""

from __future__ import annotations

from django.contrib import admin

from esurety.audit.models import AuditEntry
from esurety.core.admin_base import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin[AuditEntry]):
    list_display = ("id", "at", "actor_label", "action", "object_type", "object_id", "surety_id_scope")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "action", "actor_label")
    ordering = ("-id",)
    show_full_result_count = False
