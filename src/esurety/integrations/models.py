"""API tokens: one per connected system (an orderer's 電子契約システム, a surety's core system)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from esurety.parties.models import DepositBank, Orderer, SuretyCompany


class ApiTokenKind(models.TextChoices):
    ORDERER = "ORDERER", "発注者のシステム"
    SURETY = "SURETY", "保証事業会社のシステム"
    BANK = "BANK", "預託金融機関のシステム"


class ApiToken(models.Model):
    """A bearer token of exactly one organisation, stored only as its SHA-256 digest.

    Each token acts through its own system user (``user``, username ``api-…``,
    no usable password) so that every service that takes ``by: User`` works
    unchanged, the audit log names the system, and four eyes can tell two
    systems apart. Revoking the token deactivates that user.
    """

    name = models.CharField("名称", max_length=100)
    # The visible start of the secret ("esk_1a2b3c4d"), so people can tell tokens apart.
    prefix = models.CharField("トークンの先頭", max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    orderer = models.ForeignKey(
        Orderer, null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens", verbose_name="発注者"
    )
    surety = models.ForeignKey(
        SuretyCompany,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name="保証事業会社",
    )
    deposit_bank = models.ForeignKey(
        DepositBank,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name="預託金融機関",
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("発行日時")
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # The table of the api app, where the model lived first: moved without a data migration.
        db_table = "api_apitoken"
        verbose_name = "APIトークン"
        verbose_name_plural = "APIトークン"
        constraints = [
            models.CheckConstraint(
                condition=Q(orderer__isnull=False, surety__isnull=True, deposit_bank__isnull=True)
                | Q(orderer__isnull=True, surety__isnull=False, deposit_bank__isnull=True)
                | Q(orderer__isnull=True, surety__isnull=True, deposit_bank__isnull=False),
                name="api_token_exactly_one_organisation",
            )
        ]
        indexes = [
            models.Index(fields=["orderer", "-created_at"], name="api_token_by_orderer"),
            models.Index(fields=["surety", "-created_at"], name="api_token_by_surety"),
            models.Index(fields=["deposit_bank", "-created_at"], name="api_token_by_bank"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def kind(self) -> str:
        if self.orderer_id is not None:
            return ApiTokenKind.ORDERER
        if self.deposit_bank_id is not None:
            return ApiTokenKind.BANK
        return ApiTokenKind.SURETY

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
