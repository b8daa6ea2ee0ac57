"""Outbox: every e-mail is a row written in the transaction of the change that causes it."""

from __future__ import annotations

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "PENDING", "送信待ち"
    SENT = "SENT", "送信済"
    FAILED = "FAILED", "送信失敗（再送中止）"


class OutboxMessage(models.Model):
    template = models.CharField("テンプレート", max_length=60)
    to = models.JSONField("宛先")
    subject = models.CharField("件名", max_length=255)
    body_text = models.TextField("本文")
    body_html = models.TextField("HTML本文", blank=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField("試行回数", default=0)
    next_attempt_at = models.DateTimeField("次回送信予定")
    last_error = models.TextField("直近のエラー", blank=True)
    created_at = models.DateTimeField("作成日時")
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # [{filename, content_type, size, sha256, sealed}]: `sealed` is the file encrypted
    # (it may carry an access key) and is dropped once the message has been sent.
    attachments = models.JSONField("添付ファイル", default=list, blank=True)
    reply_to = models.JSONField("返信先", default=list, blank=True)

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["object_type", "object_id"], name="outbox_by_object"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
