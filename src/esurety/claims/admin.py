from django.contrib import admin

from esurety.claims.models import ClaimTerms, PriceCutRule, RefundRule


@admin.register(ClaimTerms)
class ClaimTermsAdmin(admin.ModelAdmin[ClaimTerms]):
    list_display = ("surety", "effective_from", "filing_deadline_days", "includes_progress_payments", "is_sample")


@admin.register(RefundRule)
class RefundRuleAdmin(admin.ModelAdmin[RefundRule]):
    list_display = ("surety", "effective_from", "fee", "rounding_unit", "is_sample")


@admin.register(PriceCutRule)
class PriceCutRuleAdmin(admin.ModelAdmin[PriceCutRule]):
    list_display = ("orderer", "effective_from", "numerator", "denominator", "refund_days")
