"""Webhooks: an organisation's URL, and one outbox row per (endpoint, event).

A delivery row is written in the transaction of the change that causes the
event (like notifications.OutboxMessage), so an event exists iff the change
committed; the worker POSTs it afterwards, with retries.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from esurety.parties.models import DepositBank, Orderer, SuretyCompany


class WebhookEvent(models.TextChoices):
    ISSUED = "issued", "発行"
    AMENDED = "amended", "変更（金額・工期）"
    CANCELLED = "cancelled", "解約"
    VIEWED = "viewed", "発注者の確認（初回）"
    # The end of a guarantee (esurety.claims): completion and the orderer's claim.
    COMPLETED = "completed", "完成（保証の完了）"
    CLAIM_FILED = "claim.filed", "保証債務の履行請求"
    CLAIM_DECIDED = "claim.decided", "履行請求の決定（支払・不支払）"
    CLAIM_PAID = "claim.paid", "保証金の支払"
    # The advance money after the certificate (esurety.advances): the surety and the deposit bank.
    WITHDRAWAL_REQUESTED = "withdrawal.requested", "払出依頼"
    WITHDRAWAL_PAID = "withdrawal.paid", "払出（払出報告）"
    WITHDRAWAL_RETURNED = "withdrawal.returned", "払出依頼の差戻し"
    ACCOUNT_STOPPED = "account.stopped", "前払金口座の払出停止"
    ACCOUNT_RESUMED = "account.resumed", "前払金口座の払出再開"


GUARANTEE_EVENTS: tuple[str, ...] = (
    WebhookEvent.ISSUED,
    WebhookEvent.AMENDED,
    WebhookEvent.CANCELLED,
    WebhookEvent.VIEWED,
    WebhookEvent.COMPLETED,
    WebhookEvent.CLAIM_FILED,
    WebhookEvent.CLAIM_DECIDED,
    WebhookEvent.CLAIM_PAID,
)
ADVANCE_EVENTS: tuple[str, ...] = (
    WebhookEvent.WITHDRAWAL_REQUESTED,
    WebhookEvent.WITHDRAWAL_PAID,
    WebhookEvent.WITHDRAWAL_RETURNED,
    WebhookEvent.ACCOUNT_STOPPED,
    WebhookEvent.ACCOUNT_RESUMED,
)


def events_for_owner(owner: SuretyCompany | Orderer | DepositBank) -> tuple[str, ...]:
    """The events an organisation may subscribe to: an orderer hears nothing of the advance
    account, a bank nothing but its accounts, the surety everything."""
    if isinstance(owner, Orderer):
        return GUARANTEE_EVENTS
    if isinstance(owner, DepositBank):
        return ADVANCE_EVENTS
    return GUARANTEE_EVENTS + ADVANCE_EVENTS


class WebhookEndpoint(models.Model):
    """A URL of an orderer's or a surety's own system that receives signed events."""

    # Models of the apps above are named by string: webhooks is imported by them, never the reverse.
    surety = models.ForeignKey(
        "parties.SuretyCompany", null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    orderer = models.ForeignKey(
        "parties.Orderer", null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    deposit_bank = models.ForeignKey(
        "parties.DepositBank", null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    name = models.CharField("名称", max_length=100, blank=True)
    url = models.URLField("送信先URL", max_length=500)
    # The signing secret, AES-GCM encrypted (see signing.py): the HMAC needs it in
    # plain text at each delivery, so it cannot be a one-way hash like a password.
    secret_sealed = models.TextField()
    secret_hint = models.CharField("シークレット（末尾）", max_length=12)
    events = models.JSONField("通知するイベント", default=list)
    is_active = models.BooleanField("有効", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時")
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deactivated_at = models.DateTimeField("無効化日時", null=True, blank=True)

    class Meta:
        verbose_name = "Webhook送信先"
        verbose_name_plural = "Webhook送信先"
        constraints = [
            models.CheckConstraint(
                condition=Q(surety__isnull=False, orderer__isnull=True, deposit_bank__isnull=True)
                | Q(surety__isnull=True, orderer__isnull=False, deposit_bank__isnull=True)
                | Q(surety__isnull=True, orderer__isnull=True, deposit_bank__isnull=False),
                name="webhook_endpoint_one_owner",
            ),
            # The same URL twice would receive every event twice.
            models.UniqueConstraint(
                fields=["surety", "url"], condition=Q(is_active=True), name="webhook_endpoint_surety_url"
            ),
            models.UniqueConstraint(
                fields=["orderer", "url"], condition=Q(is_active=True), name="webhook_endpoint_orderer_url"
            ),
            models.UniqueConstraint(
                fields=["deposit_bank", "url"], condition=Q(is_active=True), name="webhook_endpoint_bank_url"
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(e).label for e in self.events if e in WebhookEvent.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "送信待ち"
    DELIVERED = "DELIVERED", "送信済"
    FAILED = "FAILED", "送信失敗（再送中止）"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    # The event's id (the payload's "id"), the same for every endpoint it goes to;
    # delivery_id names this row (header X-Esurety-Delivery), the same on every retry.
    event_id = models.UUIDField("イベントID")
    delivery_id = models.UUIDField("配信ID", default=uuid.uuid4, unique=True)
    event_type = models.CharField("イベント", max_length=20, choices=WebhookEvent.choices)
    guarantee = models.ForeignKey("guarantees.Guarantee", on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField("内容")
    status = models.CharField("状態", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("試行回数", default=0)
    next_attempt_at = models.DateTimeField("次回送信予定")
    last_status_code = models.PositiveSmallIntegerField("直近のHTTPステータス", null=True, blank=True)
    last_error = models.CharField("直近のエラー", max_length=500, blank=True)
    created_at = models.DateTimeField("作成日時")
    delivered_at = models.DateTimeField("送信日時", null=True, blank=True)

    class Meta:
        verbose_name = "Webhook送信"
        verbose_name_plural = "Webhook送信"
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"
