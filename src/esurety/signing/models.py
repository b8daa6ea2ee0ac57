"""The registry of every signed PDF esurety has issued (issue 6).

A row per file: anyone holding a PDF can be told whether esurety issued
exactly these bytes (sha256 of the signed file), for which guarantee and
version, and with which certificate.
"""

from __future__ import annotations

from django.db import models

from esurety.guarantees.models import Guarantee
from esurety.parties.models import SuretyCompany


class DocumentKind(models.TextChoices):
    KEY_NOTICE = "key_notice", "認証キー等のお知らせ"
    CERTIFICATE_COPY = "certificate_copy", "保証証書（閲覧用控え）"
    PREMIUM_STATEMENT = "premium_statement", "保証料明細"
    # Stored as "verification_receipt" in registered documents; the value stays, the name says 照合結果.
    VERIFICATION_RESULT = "verification_receipt", "照合結果"
    USE_STATEMENT = "use_statement", "前払金使途内訳明細書"
    WITHDRAWAL_REQUEST = "withdrawal_request", "前払金払出依頼書"
    # The end of a guarantee (esurety.claims).
    CLAIM = "claim", "保証債務履行請求書（控え）"
    CLAIM_DECISION = "claim_decision", "支払決定通知書・不支払通知書"
    CLAIM_PAYMENT = "claim_payment", "保証金支払通知書"


class IssuedDocument(models.Model):
    sha256 = models.CharField("SHA-256（署名済みファイル）", max_length=64, unique=True)
    kind = models.CharField("書類の種類", max_length=30, choices=DocumentKind.choices)
    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="issued_documents")
    guarantee = models.ForeignKey(
        Guarantee, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    certificate_version = models.PositiveIntegerField("証書の版", null=True, blank=True)
    # The version of the 前払金使途内訳明細書 a use statement shows, or the one a 払出依頼書 was made
    # against: /check/ answers for them which version the file is, as it does for certificates.
    statement_version = models.PositiveIntegerField("前払金使途内訳明細書の版", null=True, blank=True)
    issued_at = models.DateTimeField("発行日時")
    size = models.PositiveIntegerField("サイズ（バイト）")
    # SHA-256 of the signing certificate (DER): finds the surety of a file signed
    # with a certificate that has since been replaced in SIGNING_DIR.
    signer_fingerprint = models.CharField("署名証明書の指紋（SHA-256）", max_length=64, db_index=True)
    timestamped = models.BooleanField("タイムスタンプ付き", default=False)

    class Meta:
        verbose_name = "発行済み署名付き書類"
        verbose_name_plural = "発行済み署名付き書類"
        indexes = [models.Index(fields=["guarantee", "kind", "issued_at"], name="issueddoc_guarantee_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"
