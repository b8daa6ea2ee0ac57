"""Django admin for platform superusers: endpoints and deliveries, view-only (never the sealed secret)."""

from __future__ import annotations

from django.contrib import admin

from esurety.core.admin_base import ReadOnlyAdmin
from esurety.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin[WebhookEndpoint]):
    list_display = ("url", "surety", "orderer", "deposit_bank", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "name")
    exclude = ("secret_sealed",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin[WebhookDelivery]):
    list_display = ("event_type", "endpoint", "status", "attempts", "last_status_code", "created_at", "delivered_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "delivery_id")
    ordering = ("-created_at",)
    show_full_result_count = False
    raw_id_fields = ("endpoint", "guarantee")
