"""Completion (完成), the orderer's claim (保証債務の履行請求) and the per-surety / per-orderer data they use.

Guarantee 1──1 Completion          (完成: date, inspection passed; the guarantee becomes 完了)
Guarantee 1──1 Claim               (one claim per guarantee; 受付 → 審査中 ⇄ 追加資料依頼 → 支払決定 → 支払済 | 不支払)
Claim     1──* ClaimDocument       (files the orderer attaches; never edited)
Claim     1──* ClaimMessage        (what the orderer and the surety say to each other, and each step)
SuretyCompany 1──* ClaimTerms      (claim deadline, required documents, whether 出来形払 counts: from a date)
SuretyCompany 1──* RefundRule      (保証料返還 on cancellation: from a date)
Orderer   1──* PriceCutRule        (advance limit after a price cut, 5/10 unless the orderer says otherwise)

Status fields change only through services.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from esurety.claims.kinds import (
    ClaimStatus,
    CompletionSource,
    Decision,
    MessageKind,
    MessageSide,
    TerminationReason,
)
from esurety.core.models import TimeStampedModel
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Orderer, SuretyCompany


class Completion(models.Model):
    """完成: the orderer's completion inspection passed; the guarantee has done its job."""

    guarantee = models.OneToOneField(Guarantee, on_delete=models.PROTECT, related_name="completion")
    completed_on = models.DateField("完成日")
    inspected_on = models.DateField("完成検査日")
    inspection_passed = models.BooleanField("完成検査合格")
    source = models.CharField("記録の経緯", max_length=10, choices=CompletionSource.choices)
    note = models.CharField("備考", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時")
    status_before = models.CharField("完成前の状態", max_length=20)

    class Meta:
        verbose_name = "完成"
        verbose_name_plural = "完成"

    def __str__(self) -> str:
        return f"完成 {self.guarantee_id} {self.completed_on}"


class Claim(TimeStampedModel):
    """保証債務の履行請求 of the beneficiary orderer on one guarantee (one per guarantee).

    The amounts are as the orderer declared them; ``assessed_*`` are the figures staff
    accepted, and the decision pays ``assessed_amount``.
    """

    number = models.CharField("履行請求番号", max_length=12, unique=True)
    guarantee = models.OneToOneField(Guarantee, on_delete=models.PROTECT, related_name="claim")
    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField("状態", max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.RECEIVED)
    # What the guarantee was before the claim (given back on 不支払).
    guarantee_status_before = models.CharField("請求前の保証の状態", max_length=20)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("請求日時")
    termination_date = models.DateField("契約解除日")
    termination_reason = models.CharField("解除の事由", max_length=30, choices=TerminationReason.choices)
    advance_paid = models.BigIntegerField("支払済の前払金", default=0)
    interim_advance_paid = models.BigIntegerField("支払済の中間前払金", default=0)
    progress_paid = models.BigIntegerField("支払済の出来形払（部分払）", default=0)
    work_done_value = models.BigIntegerField("既済部分の代価", default=0)
    # 契約保証: the penalty ratio the contract sets (typically 10/100).
    penalty_numerator = models.PositiveIntegerField("違約金の割合（分子）", default=10)
    penalty_denominator = models.PositiveIntegerField("違約金の割合（分母）", default=100)
    # Whether the surety's terms counted 出来形払 in (ClaimTerms in force at filing).
    includes_progress = models.BooleanField("出来形払を含む約款", default=False)
    claimed_amount = models.BigIntegerField("請求額（計算）")
    statement = models.TextField("請求の内容・経緯", blank=True)
    deadline_on = models.DateField("請求期限", null=True, blank=True)
    assessed_work_done_value = models.BigIntegerField("審査による既済部分の代価", null=True, blank=True)
    assessed_amount = models.BigIntegerField("審査による保証金額", null=True, blank=True)
    assessment_note = models.TextField("審査意見", blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField("審査日時", null=True, blank=True)
    decision = models.CharField("決定", max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("決定の理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("決定日時", null=True, blank=True)
    paid_amount = models.BigIntegerField("支払額", null=True, blank=True)
    paid_on = models.DateField("支払日", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField("支払記録日時", null=True, blank=True)
    # 代位: the advance account's balance at payment, which the surety recovers in the orderer's place.
    subrogated_balance = models.BigIntegerField("代位により回収する口座残高", null=True, blank=True)

    class Meta:
        verbose_name = "保証債務の履行請求"
        verbose_name_plural = "保証債務の履行請求"
        indexes = [
            models.Index(fields=["orderer", "-filed_at"], name="claim_by_orderer"),
            models.Index(fields=["status", "filed_at"], name="claim_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(advance_paid__gte=0)
                & Q(interim_advance_paid__gte=0)
                & Q(progress_paid__gte=0)
                & Q(work_done_value__gte=0)
                & Q(claimed_amount__gte=0),
                name="claim_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(penalty_denominator__gt=0), name="claim_penalty_denominator"),
        ]

    def __str__(self) -> str:
        return f"履行請求 {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status not in (ClaimStatus.PAID, ClaimStatus.REFUSED)


def claim_document_upload_to(instance: ClaimDocument, filename: str) -> str:
    # Never the uploaded name (it may be anything); the original is kept in a column.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"claims/{instance.claim_id}/{uuid.uuid4().hex}{suffix}"


class ClaimDocument(models.Model):
    """A file attached to a claim (解除通知書, 既済部分検査調書, …). Never edited or removed."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("書類の名称", max_length=100)
    file = models.FileField("ファイル", upload_to=claim_document_upload_to, max_length=255)
    original_name = models.CharField("ファイル名", max_length=255)
    content_type = models.CharField("形式", max_length=100)
    size = models.PositiveIntegerField("サイズ(バイト)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("添付日時")

    class Meta:
        verbose_name = "履行請求の添付書類"
        verbose_name_plural = "履行請求の添付書類"
        indexes = [models.Index(fields=["claim", "uploaded_at"], name="claim_document_by_claim")]


class ClaimMessage(models.Model):
    """One line of the conversation between the orderer and the surety about a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="messages")
    side = models.CharField("差出", max_length=10, choices=MessageSide.choices)
    kind = models.CharField("種類", max_length=20, choices=MessageKind.choices)
    body = models.TextField("本文", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("日時")

    class Meta:
        verbose_name = "履行請求の連絡"
        verbose_name_plural = "履行請求の連絡"
        indexes = [models.Index(fields=["claim", "at"], name="claim_message_by_claim")]


class ClaimTerms(models.Model):
    """A surety's claim terms from a date: deadline, documents, whether 出来形払 counts.

    Not published in full by the sureties: each sets its own; the demo's are samples.
    """

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="claim_terms")
    effective_from = models.DateField("適用開始日")
    # Days after the termination within which the orderer claims; null: no deadline set.
    filing_deadline_days = models.PositiveIntegerField("請求期限（解除日からの日数）", null=True, blank=True)
    required_documents = models.JSONField("必要書類", default=list)
    includes_progress_payments = models.BooleanField("出来形払を保証金の計算に含める", default=False)
    is_sample = models.BooleanField("サンプル", default=False)

    class Meta:
        verbose_name = "履行請求の取扱い"
        verbose_name_plural = "履行請求の取扱い"
        constraints = [models.UniqueConstraint(fields=["surety", "effective_from"], name="claim_terms_unique")]


class RefundRule(models.Model):
    """保証料返還 on cancellation, from a date: the unexpired share of the premium less a fee.

    The sureties' rules are not public; the demo's rule is a sample and says so.
    """

    surety = models.ForeignKey(SuretyCompany, on_delete=models.PROTECT, related_name="refund_rules")
    effective_from = models.DateField("適用開始日")
    fee = models.BigIntegerField("返還手数料", default=0)
    rounding_unit = models.PositiveIntegerField("端数処理の単位（円未満切捨の単位）", default=100)
    is_sample = models.BooleanField("サンプル", default=False)

    class Meta:
        verbose_name = "保証料返還の規則"
        verbose_name_plural = "保証料返還の規則"
        constraints = [
            models.UniqueConstraint(fields=["surety", "effective_from"], name="refund_rule_unique"),
            models.CheckConstraint(condition=Q(rounding_unit__gt=0), name="refund_rule_rounding_positive"),
        ]


class PriceCutRule(models.Model):
    """The orderer's limit of the advance after a price cut (請負代金の減額), from a date."""

    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="price_cut_rules")
    effective_from = models.DateField("適用開始日")
    numerator = models.PositiveIntegerField("割合（分子）", default=5)
    denominator = models.PositiveIntegerField("割合（分母）", default=10)
    refund_days = models.PositiveIntegerField("返還期限（日数）", default=30)

    class Meta:
        verbose_name = "減額時の前払金の上限"
        verbose_name_plural = "減額時の前払金の上限"
        constraints = [
            models.UniqueConstraint(fields=["orderer", "effective_from"], name="price_cut_rule_unique"),
            models.CheckConstraint(
                condition=Q(denominator__gt=0) & Q(numerator__lte=models.F("denominator")),
                name="price_cut_rule_ratio",
            ),
        ]
