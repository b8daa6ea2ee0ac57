"""Applications, guarantees, immutable certificate versions, keys and premiums.

A Guarantee holds the current state; each Certificate row is one issued
version and is never edited afterwards (a newer version supersedes it).
Status fields change only through services.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from esurety.core.fields import SearchTextField
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory, kind_full_name
from esurety.core.models import TimeStampedModel
from esurety.parties.models import Branch, Contractor, Orderer, SuretyCompany


class ApplicationStatus(models.TextChoices):
    DRAFT = "DRAFT", "下書き"
    SUBMITTED = "SUBMITTED", "受付"
    UNDER_REVIEW = "UNDER_REVIEW", "審査中"
    APPROVED = "APPROVED", "承認"
    REJECTED = "REJECTED", "否決"
    PAYMENT_CONFIRMED = "PAYMENT_CONFIRMED", "入金確認"
    CONCLUDED = "CONCLUDED", "契約締結"


class WorksTerms(models.Model):
    """The terms of the works and of the guarantee, shared by applications and guarantees."""

    kind = models.CharField("区分", max_length=30, choices=GuaranteeKind.choices)
    work_category = models.CharField("業務区分", max_length=20, choices=WorkCategory.choices)
    work_name = models.CharField("工事名", max_length=200)
    contract_date = models.DateField("契約締結日")
    completion_date = models.DateField("工事末日")
    contract_price = models.BigIntegerField("請負金額(総額)")
    contract_price_consideration = models.BigIntegerField("請負金額(対価額)", null=True, blank=True)
    guaranteed_amount = models.BigIntegerField("保証金額")
    low_bid = models.BooleanField("低入札価格調査の対象", default=False)
    deposit_bank = models.CharField("預託金融機関", max_length=100, blank=True)
    delivery_method = models.CharField(
        "保証証書の受取方法", max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )

    class Meta:
        abstract = True

    @property
    def kind_full_name(self) -> str:
        return kind_full_name(self.kind)


class Application(WorksTerms, TimeStampedModel):
    """保証申込 from a contractor (e-Net保証 STEP 1)."""

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="applications")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="applications")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="applications")
    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="applications")
    advance_guarantee = models.ForeignKey(
        "Guarantee",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependent_applications",
        verbose_name="前払金保証（同一工事）",
    )
    notes = models.TextField("連絡事項等", blank=True)
    status = models.CharField("状態", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications_created"
    )
    submitted_at = models.DateTimeField("受付日時", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_reviewed",
    )
    decided_at = models.DateTimeField("審査日時", null=True, blank=True)
    rejection_reason = models.TextField("否決理由", blank=True)
    premium = models.BigIntegerField("保証料", null=True, blank=True)
    payment_received_on = models.DateField("入金日", null=True, blank=True)

    class Meta:
        verbose_name = "保証申込"
        verbose_name_plural = "保証申込"
        indexes = [
            models.Index(fields=["contractor", "-created_at"], name="application_by_contractor"),
            models.Index(fields=["surety", "status", "-created_at"], name="application_queue"),
        ]

    def __str__(self) -> str:
        return f"申込#{self.pk} {self.work_name}"


class GuaranteeStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "有効"
    CANCELLED = "CANCELLED", "解約"
    EXPIRED = "EXPIRED", "保証期間満了"
    # The end of a guarantee's life (esurety.claims): the works completed, or a claim.
    COMPLETED = "COMPLETED", "完了"
    CLAIMED = "CLAIMED", "履行請求中"
    PAID_OUT = "PAID_OUT", "保証履行済"


class Guarantee(WorksTerms, TimeStampedModel):
    """保証契約: the current state of one concluded guarantee."""

    number = models.CharField("保証契約番号", max_length=10, unique=True)
    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="guarantees")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="guarantees")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="guarantees")
    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="guarantees")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="guarantee"
    )
    advance_guarantee = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="riders"
    )
    period_end = models.DateField("保証期間")
    status = models.CharField("状態", max_length=20, choices=GuaranteeStatus.choices, default=GuaranteeStatus.ACTIVE)
    concluded_at = models.DateTimeField("契約締結日時")
    # Denormalised from the current certificate so that lists of millions need no join.
    current_version = models.PositiveIntegerField("現在の版", default=0)
    latest_issued_on = models.DateField("証書発行日", null=True, blank=True)
    is_amended = models.BooleanField("変更契約", default=False)
    cancelled_at = models.DateTimeField("解約日時", null=True, blank=True)
    # 工事名 as searches compare it (ﾄﾝﾈﾙ = トンネル, ＡＢＣ = abc); on PostgreSQL a
    # trigram GIN index serves fragment searches (migration 0007).
    work_name_search = SearchTextField("工事名（検索用）", source="work_name")

    class Meta:
        verbose_name = "保証契約"
        verbose_name_plural = "保証契約"
        indexes = [
            # Covering on PostgreSQL: the contractor's list, its count, its far pages and
            # its 工事名 / 発注者 filters are answered from the index alone (no heap visits
            # across 20,000 scattered rows). SQLite ignores INCLUDE.
            models.Index(
                fields=["contractor", "-latest_issued_on", "-number"],
                include=["id", "orderer", "work_name_search"],
                name="guarantee_contractor_list",
            ),
            models.Index(fields=["orderer", "-latest_issued_on"], name="guarantee_orderer_list"),
            models.Index(fields=["surety", "branch", "-concluded_at"], name="guarantee_surety_list"),
            # The back office's list of a whole surety, newest first (branch staff use the one above).
            models.Index(fields=["surety", "-concluded_at", "-number"], name="guarantee_surety_recent"),
            # The daily expiry finds the few ACTIVE guarantees whose period ended without a scan.
            models.Index(fields=["period_end"], condition=Q(status="ACTIVE"), name="guarantee_active_period_end"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.work_name}"


class Certificate(models.Model):
    """One issued version of a certificate (保証証書 / 電子証書). Never edited.

    Everything printed is copied here at issue, so a later change of a
    party's address does not rewrite a certificate already delivered.
    """

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="certificates")
    version = models.PositiveIntegerField("版")
    is_amendment = models.BooleanField("変更", default=False)
    issued_on = models.DateField("証書発行日")
    issued_at = models.DateTimeField("発行日時")
    kind = models.CharField("区分", max_length=30, choices=GuaranteeKind.choices)
    work_name = models.CharField("工事名", max_length=200)
    contract_price = models.BigIntegerField("請負金額(総額)")
    contract_price_consideration = models.BigIntegerField("請負金額(対価額)", null=True, blank=True)
    guaranteed_amount = models.BigIntegerField("保証金額")
    period_end = models.DateField("保証期間")
    completion_date = models.DateField("工事末日")
    deposit_bank = models.CharField("預託金融機関", max_length=100, blank=True)
    contractor_name = models.CharField("保証契約者", max_length=100)
    contractor_address = models.CharField("保証契約者住所", max_length=200)
    orderer_name = models.CharField("被保証者", max_length=100)
    surety_name = models.CharField("保証事業会社", max_length=100)
    surety_postal_code = models.CharField(max_length=8)
    surety_address = models.CharField(max_length=200)
    surety_representative = models.CharField("代表者", max_length=100)
    branch_name = models.CharField("取次場所", max_length=100)
    branch_address = models.CharField(max_length=200)
    branch_tel = models.CharField(max_length=20)
    branch_fax = models.CharField(max_length=20, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "電子証書"
        verbose_name_plural = "電子証書"
        constraints = [models.UniqueConstraint(fields=["guarantee", "version"], name="certificate_unique_version")]
        ordering = ["guarantee", "version"]

    def __str__(self) -> str:
        return f"{self.guarantee.number} 第{self.version}版"

    def save(self, *args: object, **kwargs: object) -> None:
        # Integrity guard, not a business step: an issued version is immutable.
        if self.pk is not None:
            raise ValueError("An issued certificate version is never edited.")
        super().save(*args, **kwargs)

    @property
    def kind_full_name(self) -> str:
        return kind_full_name(self.kind)


class AmendmentType(models.TextChoices):
    AMOUNT = "AMOUNT", "金額の変更"
    PERIOD = "PERIOD", "工期の変更"


class Amendment(TimeStampedModel):
    """変更契約. An amount change issues a new certificate version; a 工期 change does not."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="amendments")
    amendment_type = models.CharField("変更の種類", max_length=10, choices=AmendmentType.choices)
    effective_on = models.DateField("変更日")
    reason = models.CharField("変更理由", max_length=200, blank=True)
    before = models.JSONField("変更前")
    after = models.JSONField("変更後")
    certificate = models.OneToOneField(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="amendment"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "変更契約"
        verbose_name_plural = "変更契約"
        ordering = ["guarantee", "created_at"]

    # before/after are JSON, so a 工期 change keeps its dates as ISO strings; pages show them as 和暦.
    @property
    def completion_date_before(self) -> dt.date | None:
        return _json_date(self.before, "completion_date")

    @property
    def completion_date_after(self) -> dt.date | None:
        return _json_date(self.after, "completion_date")


def _json_date(record: object, field: str) -> dt.date | None:
    raw = record.get(field) if isinstance(record, dict) else None
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


class AccessKey(models.Model):
    """認証キー. Stored as an HMAC for lookup and AES-GCM ciphertext for the contractor's display."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="access_keys")
    digest = models.CharField(max_length=64, unique=True)
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "認証キー"
        verbose_name_plural = "認証キー"
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee"], condition=Q(revoked_at__isnull=True), name="one_active_key_per_guarantee"
            )
        ]


class NumberSeries(models.Model):
    """A range of 10-digit 保証契約番号 a branch allocates from, in order.

    西日本建設業保証's 大塚支店 numbers advances 2070000001…2070199999 and
    performance guarantees 2070200001…2070299999, say. A null kind is the
    branch's default series.
    """

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="number_series")
    kind = models.CharField(max_length=30, choices=GuaranteeKind.choices, blank=True)
    first_number = models.BigIntegerField()
    last_number = models.BigIntegerField()
    next_number = models.BigIntegerField()

    class Meta:
        verbose_name = "保証契約番号の採番範囲"
        verbose_name_plural = "保証契約番号の採番範囲"
        constraints = [
            models.UniqueConstraint(fields=["branch", "kind"], name="series_one_per_branch_kind"),
            models.CheckConstraint(
                condition=Q(first_number__gte=1_000_000_000) & Q(last_number__lte=9_999_999_999),
                name="series_ten_digits",
            ),
            models.CheckConstraint(
                condition=Q(next_number__gte=models.F("first_number"))
                & Q(next_number__lte=models.F("last_number") + 1),
                name="series_next_in_range",
            ),
        ]


class PremiumRate(models.Model):
    """Premium rate of one surety for one kind, from a date. Real tables are unpublished."""

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="premium_rates")
    kind = models.CharField("区分", max_length=30, choices=GuaranteeKind.choices)
    effective_from = models.DateField("適用開始日")
    annual_rate = models.DecimalField("年率", max_digits=8, decimal_places=6)
    minimum_premium = models.BigIntegerField("最低保証料", default=0)
    is_sample = models.BooleanField("サンプル料率", default=False)

    class Meta:
        verbose_name = "保証料率"
        verbose_name_plural = "保証料率"
        constraints = [models.UniqueConstraint(fields=["surety", "kind", "effective_from"], name="premium_rate_unique")]


class StatementType(models.TextChoices):
    # 保証料領収書: "receipt" alone means 受領 (verification.Receipt). The stored value stays.
    PREMIUM_RECEIPT = "RECEIPT", "保証料領収書(計算書)"
    REFUND = "REFUND", "返還計算書"


class PremiumStatement(models.Model):
    """保証料領収書(計算書) or 返還計算書, delivered electronically. Never edited."""

    number = models.CharField("書類番号", max_length=20, unique=True)
    statement_type = models.CharField("種類", max_length=10, choices=StatementType.choices)
    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="premium_statements")
    issued_on = models.DateField("発行日")
    amount = models.BigIntegerField("金額")
    counterparty_name = models.CharField("取引先", max_length=100)
    breakdown = models.JSONField("計算内訳")
    is_sample_rate = models.BooleanField("サンプル料率による計算", default=False)
    created_at = models.DateTimeField()

    TAX_NOTE = "非課税（消費税法第6条）"

    class Meta:
        verbose_name = "保証料の書類"
        verbose_name_plural = "保証料の書類"
        indexes = [models.Index(fields=["guarantee", "issued_on"], name="statement_by_guarantee")]


class AmendmentRequestStatus(models.TextChoices):
    PENDING = "PENDING", "申請中"
    APPROVED = "APPROVED", "承認"
    REJECTED = "REJECTED", "却下"


class AmendmentRequest(TimeStampedModel):
    """変更申請: an amendment entered by one staff member and approved by another (four eyes).

    Approval performs the Amendment; until then the guarantee is untouched.
    The figures before the change are kept so the approver sees both sides.
    """

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="amendment_requests")
    amendment_type = models.CharField("変更の種類", max_length=10, choices=AmendmentType.choices)
    contract_price = models.BigIntegerField("変更後の請負金額(総額)", null=True, blank=True)
    guaranteed_amount = models.BigIntegerField("変更後の保証金額", null=True, blank=True)
    completion_date = models.DateField("変更後の工事末日", null=True, blank=True)
    effective_on = models.DateField("変更日")
    reason = models.CharField("変更理由", max_length=200)
    before = models.JSONField("申請時の内容")
    status = models.CharField(
        "状態", max_length=10, choices=AmendmentRequestStatus.choices, default=AmendmentRequestStatus.PENDING
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("承認・却下日時", null=True, blank=True)
    rejection_reason = models.TextField("却下理由", blank=True)
    amendment = models.OneToOneField(Amendment, null=True, blank=True, on_delete=models.PROTECT, related_name="request")

    class Meta:
        verbose_name = "変更申請"
        verbose_name_plural = "変更申請"
        constraints = [
            # Two pending requests on one guarantee would each be checked against figures
            # the other is about to change.
            models.UniqueConstraint(
                fields=["guarantee"], condition=Q(status="PENDING"), name="one_pending_request_per_guarantee"
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="amendment_request_queue")]

    def __str__(self) -> str:
        return f"変更申請#{self.pk} {self.guarantee.number}"

    @property
    def before_completion_date(self) -> dt.date | None:
        raw = self.before.get("completion_date") if isinstance(self.before, dict) else None
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None


class ImportStatus(models.TextChoices):
    VALIDATING = "VALIDATING", "検証中"
    REJECTED = "REJECTED", "エラー"
    IMPORTED = "IMPORTED", "取込済"


class ImportBatch(models.Model):
    """One CSV of concluded guarantees from a surety's core system (一括取込).

    The file is kept in the database so that the worker that validates and
    imports it need not share a disk with the web server. The whole file is
    validated first; if any line is bad nothing is imported and `errors`
    lists every bad line.
    """

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="import_batches")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("アップロード日時")
    file_name = models.CharField("ファイル名", max_length=255)
    content = models.BinaryField("ファイル")
    file_size = models.PositiveIntegerField("サイズ(バイト)")
    status = models.CharField("状態", max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATING)
    encoding = models.CharField("文字コード", max_length=20, blank=True)
    line_count = models.PositiveIntegerField("データ行数", default=0)
    imported_count = models.PositiveIntegerField("取込件数", default=0)
    error_count = models.PositiveIntegerField("エラー件数", default=0)
    errors = models.JSONField("エラー一覧", default=list, blank=True)
    started_at = models.DateTimeField("処理開始", null=True, blank=True)
    finished_at = models.DateTimeField("処理終了", null=True, blank=True)

    class Meta:
        verbose_name = "一括取込"
        verbose_name_plural = "一括取込"
        indexes = [
            models.Index(fields=["surety", "-uploaded_at"], name="import_batch_list"),
            models.Index(fields=["status", "uploaded_at"], name="import_batch_pending"),
        ]

    def __str__(self) -> str:
        return f"一括取込#{self.pk} {self.file_name}"
