"""Django admin for platform superusers: the outbox, view-only (the worker sends and retries)."""

from __future__ import annotations

from django.contrib import admin

from esurety.core.admin_base import ReadOnlyAdmin
from esurety.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin[OutboxMessage]):
    list_display = ("subject", "recipients", "status", "attempts", "created_at", "sent_at", "template")
    list_filter = ("status", "template")
    search_fields = ("subject", "object_id")
    ordering = ("-created_at",)
    show_full_result_count = False
    readonly_fields = ("last_error",)

    @admin.display(description="宛先")
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)
