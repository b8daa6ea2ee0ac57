"""Monthly figures of the staff home, precomputed from guarantees and premium statements.

Counting a head office's 24 months straight from the guarantees, and summing
premiums through a join of statements to guarantees, costs seconds at a
surety's scale (hundreds of thousands of guarantees a year). The worker
recomputes these small tables every hour (dashboards.services); the home
reads a few hundred rows. They hold nothing that is not in the guarantees and
statements, so they are replaced whole, never edited.
"""

from __future__ import annotations

from django.db import models

from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.parties.models import Branch, Orderer, SuretyCompany


class ConclusionMonth(models.Model):
    """One month (Tokyo) of one branch, kind and delivery: guarantees concluded, premiums and refunds issued."""

    surety = models.ForeignKey(SuretyCompany, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月")  # the first day of the month
    kind = models.CharField("区分", max_length=30, choices=GuaranteeKind.choices)
    delivery_method = models.CharField("受取方法", max_length=20, choices=DeliveryMethod.choices)
    concluded = models.PositiveIntegerField("締結件数", default=0)
    premium = models.BigIntegerField("保証料（領収）", default=0)
    premium_count = models.PositiveIntegerField("保証料領収書の件数", default=0)
    refunds = models.BigIntegerField("返還保証料", default=0)
    refund_count = models.PositiveIntegerField("返還計算書の件数", default=0)

    class Meta:
        verbose_name = "月別集計（締結・保証料）"
        verbose_name_plural = "月別集計（締結・保証料）"
        constraints = [
            models.UniqueConstraint(
                fields=["surety", "branch", "month", "kind", "delivery_method"], name="conclusion_month_unique"
            )
        ]
        indexes = [models.Index(fields=["surety", "month"], name="conclusion_month_by_surety")]


class OrdererMonth(models.Model):
    """One month of one branch and orderer: guarantees of the electronic kinds concluded, electronic and paper."""

    surety = models.ForeignKey(SuretyCompany, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    orderer = models.ForeignKey(Orderer, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月")
    electronic = models.PositiveIntegerField("電子交付", default=0)
    paper = models.PositiveIntegerField("書面", default=0)

    class Meta:
        verbose_name = "月別集計（発注者別の電子交付）"
        verbose_name_plural = "月別集計（発注者別の電子交付）"
        constraints = [
            models.UniqueConstraint(fields=["surety", "branch", "orderer", "month"], name="orderer_month_unique")
        ]
        indexes = [models.Index(fields=["surety", "month"], name="orderer_month_by_surety")]


class FigureRefresh(models.Model):
    """The single row saying when the monthly figures were last recomputed; locking it serialises refreshes."""

    refreshed_at = models.DateTimeField("集計日時", null=True, blank=True)
    first_month = models.DateField("集計の最初の月", null=True, blank=True)
    took_ms = models.PositiveIntegerField("所要時間(ミリ秒)", default=0)

    class Meta:
        verbose_name = "集計の実行記録"
        verbose_name_plural = "集計の実行記録"
