"""Django admin for platform superusers.

Applications, guarantees, certificates, amendments, keys and premium
statements are view-only here: they change only through the services
(which check the rules and write the audit log), and an issued certificate
version is never edited. Number series and premium rates are settings a
superuser may maintain.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from esurety.core.admin_base import ModelAdmin, ReadOnlyAdmin, ReadOnlyTabularInline
from esurety.core.money import format_yen
from esurety.guarantees.models import (
    AccessKey,
    Amendment,
    Application,
    Certificate,
    Guarantee,
    NumberSeries,
    PremiumRate,
    PremiumStatement,
)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin[Application]):
    list_display = (
        "id",
        "status",
        "kind",
        "work_name",
        "contractor",
        "orderer",
        "branch",
        "guaranteed_amount_yen",
        "delivery_method",
        "created_at",
    )
    list_filter = ("status", "kind", "delivery_method", "surety")
    list_select_related = ("contractor", "orderer", "branch__surety")
    search_fields = ("work_name", "contractor__name", "orderer__name")
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="保証金額(円)", ordering="guaranteed_amount")
    def guaranteed_amount_yen(self, obj: Application) -> str:
        return format_yen(obj.guaranteed_amount)


class CertificateInline(ReadOnlyTabularInline[Certificate, Guarantee]):
    model = Certificate
    fields = ("version", "is_amendment", "issued_on", "contract_price", "guaranteed_amount", "period_end")


class AmendmentInline(ReadOnlyTabularInline[Amendment, Guarantee]):
    model = Amendment
    fields = ("amendment_type", "effective_on", "reason", "before", "after", "created_by")


class AccessKeyInline(ReadOnlyTabularInline[AccessKey, Guarantee]):
    model = AccessKey
    fields = ("created_at", "revoked_at", "created_by")  # never the digest or the ciphertext


@admin.register(Guarantee)
class GuaranteeAdmin(ReadOnlyAdmin[Guarantee]):
    list_display = (
        "number",
        "kind",
        "is_amended",
        "latest_issued_on",
        "work_name",
        "contractor",
        "orderer",
        "branch",
        "contract_price_yen",
        "guaranteed_amount_yen",
        "delivery_method",
        "status",
    )
    list_filter = ("kind", "status", "delivery_method", "is_amended", "surety")
    list_select_related = ("contractor", "orderer", "branch__surety")
    search_fields = ("=number", "work_name", "contractor__name", "orderer__name")
    ordering = ("-latest_issued_on", "-number")
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page is not worth it
    inlines = (CertificateInline, AmendmentInline, AccessKeyInline)

    @admin.display(description="請負金額(円)", ordering="contract_price")
    def contract_price_yen(self, obj: Guarantee) -> str:
        return format_yen(obj.contract_price)

    @admin.display(description="保証金額(円)", ordering="guaranteed_amount")
    def guaranteed_amount_yen(self, obj: Guarantee) -> str:
        return format_yen(obj.guaranteed_amount)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin[Certificate]):
    list_display = ("guarantee", "version", "is_amendment", "kind", "issued_on", "orderer_name", "guaranteed_amount")
    list_filter = ("kind", "is_amendment")
    list_select_related = ("guarantee",)
    search_fields = ("=guarantee__number", "work_name", "contractor_name", "orderer_name")
    ordering = ("-issued_at",)
    show_full_result_count = False


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin[Amendment]):
    list_display = ("guarantee", "amendment_type", "effective_on", "reason", "created_by", "created_at")
    list_filter = ("amendment_type",)
    list_select_related = ("guarantee", "created_by")
    search_fields = ("=guarantee__number", "reason")
    ordering = ("-created_at",)


@admin.register(AccessKey)
class AccessKeyAdmin(ReadOnlyAdmin[AccessKey]):
    """Only when a key was issued or revoked: the digest and ciphertext are never shown."""

    fields = ("guarantee", "created_at", "revoked_at", "created_by")
    list_display = ("guarantee", "is_active", "created_at", "revoked_at", "created_by")
    list_select_related = ("guarantee", "created_by")
    search_fields = ("=guarantee__number",)
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="有効", boolean=True)
    def is_active(self, obj: AccessKey) -> bool:
        return obj.revoked_at is None


@admin.register(NumberSeries)
class NumberSeriesAdmin(ModelAdmin[NumberSeries]):
    list_display = ("branch", "kind", "first_number", "last_number", "next_number", "remaining")
    list_filter = ("branch__surety",)
    list_select_related = ("branch__surety",)
    search_fields = ("branch__name", "branch__surety__name")

    @admin.display(description="残り")
    def remaining(self, obj: NumberSeries) -> int:
        return obj.last_number - obj.next_number + 1

    def get_readonly_fields(self, request: HttpRequest, obj: NumberSeries | None = None) -> tuple[str, ...]:
        # Moving an existing series back would hand out numbers already issued.
        return ("next_number",) if obj is not None else ()


@admin.register(PremiumRate)
class PremiumRateAdmin(ModelAdmin[PremiumRate]):
    list_display = ("surety", "kind", "effective_from", "annual_rate", "minimum_premium", "is_sample")
    list_filter = ("surety", "kind", "is_sample")
    list_select_related = ("surety",)
    ordering = ("surety", "kind", "-effective_from")


@admin.register(PremiumStatement)
class PremiumStatementAdmin(ReadOnlyAdmin[PremiumStatement]):
    list_display = (
        "number",
        "statement_type",
        "guarantee",
        "issued_on",
        "amount",
        "counterparty_name",
        "is_sample_rate",
    )
    list_filter = ("statement_type", "is_sample_rate")
    list_select_related = ("guarantee",)
    search_fields = ("=number", "=guarantee__number", "counterparty_name")
    ordering = ("-issued_on", "-number")
    show_full_result_count = False
