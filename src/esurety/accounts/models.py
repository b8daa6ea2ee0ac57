"""利用申込: a company asks a surety for an e-Net保証 ID (seed Q&A 「e-Net保証のID登録が必要」)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from esurety.core.models import TimeStampedModel
from esurety.parties.models import Contractor, SuretyCompany


class UsageApplicationStatus(models.TextChoices):
    RECEIVED = "RECEIVED", "受付"
    APPROVED = "APPROVED", "承認"
    REJECTED = "REJECTED", "否決"


class UsageApplication(TimeStampedModel):
    """A new contractor company's request to use the service, reviewed by the chosen surety's staff.

    Approval creates the Contractor and its first user (企業の管理者); the row
    keeps what was applied for, unchanged, next to what was created.
    """

    surety = models.ForeignKey(
        SuretyCompany, on_delete=models.PROTECT, related_name="usage_applications", verbose_name="保証事業会社"
    )
    company_name = models.CharField("商号又は名称", max_length=100)
    postal_code = models.CharField("郵便番号", max_length=8)
    address = models.CharField("所在地", max_length=200)
    tel = models.CharField("電話番号", max_length=20)
    representative_title = models.CharField("代表者役職", max_length=50)
    representative_name = models.CharField("代表者氏名", max_length=50)
    applicant_name = models.CharField("ご担当者氏名", max_length=100)
    applicant_email = models.EmailField("ご担当者メールアドレス")
    status = models.CharField(
        "状態", max_length=10, choices=UsageApplicationStatus.choices, default=UsageApplicationStatus.RECEIVED
    )
    submitted_at = models.DateTimeField("受付日時")
    decided_at = models.DateTimeField("処理日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reject_reason = models.TextField("否決の理由", blank=True)
    contractor = models.ForeignKey(
        Contractor, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="登録した保証契約者"
    )
    first_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登録した利用者",
    )

    class Meta:
        verbose_name = "利用申込"
        verbose_name_plural = "利用申込"
        indexes = [models.Index(fields=["surety", "status", "submitted_at"], name="usage_app_queue")]

    def __str__(self) -> str:
        return f"{self.company_name}（{self.get_status_display()}）"


class StaffTotp(models.Model):
    """A staff member's TOTP authenticator (RFC 6238): the second factor of the back office.

    The shared secret is stored encrypted (AES-GCM, bound to the user) and
    never logged. `last_step` is the time step of the last accepted code, so
    a code cannot be used twice (an observed code is worthless afterwards).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_totp")
    secret_ciphertext = models.BinaryField(null=True, blank=True)
    # A new secret being set up: the current one stays valid until a code from the new one is confirmed.
    pending_ciphertext = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField("作成日時")
    confirmed_at = models.DateTimeField("登録日時", null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "二要素認証（職員）"
        verbose_name_plural = "二要素認証（職員）"
