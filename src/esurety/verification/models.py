"""What orderers verified: the receipt of a certificate and each view of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from esurety.guarantees.models import Guarantee
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Orderer, OrdererDepartment


class Receipt(models.Model):
    """An orderer organisation received (verified number + key of) a guarantee.

    It keeps the certificate in the orderer's 受領済み一覧 so nobody types the
    key again, and tells the contractor 発注者閲覧済.
    """

    orderer = models.ForeignKey(Orderer, on_delete=models.PROTECT, related_name="receipts")
    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="receipts")
    first_verified_at = models.DateTimeField("初回確認日時")
    first_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_seen_version = models.PositiveIntegerField("確認した版")

    class Meta:
        verbose_name = "受領記録"
        verbose_name_plural = "受領記録"
        constraints = [models.UniqueConstraint(fields=["orderer", "guarantee"], name="receipt_unique")]
        indexes = [models.Index(fields=["orderer", "-first_verified_at"], name="receipt_orderer_list")]


class ViewKind(models.TextChoices):
    VERIFY = "VERIFY", "番号・認証キーで確認"
    VIEW = "VIEW", "受領済み一覧から閲覧"
    PDF = "PDF", "PDFを取得"


class ViewRecord(models.Model):
    """Who of the orderer looked at which version, when: evidence for all three parties."""

    # view_by_receipt (receipt, -at) serves every lookup by receipt: a second index on the
    # column alone would only cost each verification's INSERT another index write.
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="views", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("日時")
    version = models.PositiveIntegerField("版")
    kind = models.CharField("操作", max_length=10, choices=ViewKind.choices)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "閲覧記録"
        verbose_name_plural = "閲覧記録"
        indexes = [models.Index(fields=["receipt", "-at"], name="view_by_receipt")]


class NoticeDispatch(models.Model):
    """「発注者へ送信」: the contractor sent the key notice PDF to the orderer's department.

    The department's name and address are copied: the orderer may rename or
    remove the department later, and the record must still say where it went.
    """

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="notice_dispatches")
    department = models.ForeignKey(
        OrdererDepartment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notice_dispatches"
    )
    department_name = models.CharField("送信先部署", max_length=100)
    email = models.EmailField("送信先メールアドレス")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("送信日時")
    outbox = models.OneToOneField(OutboxMessage, on_delete=models.PROTECT, related_name="notice_dispatch")

    class Meta:
        verbose_name = "認証キー等のお知らせの送信"
        verbose_name_plural = "認証キー等のお知らせの送信"
        indexes = [models.Index(fields=["guarantee", "-sent_at"], name="dispatch_by_guarantee")]

    def __str__(self) -> str:
        return f"{self.guarantee_id} → {self.department_name} <{self.email}>"
