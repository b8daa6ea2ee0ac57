"""Django admin for platform superusers.

Accounts, deposits, statements, proofs, payees and withdrawals are view-only
here: they change only through the services (which check the rules and the
authority and write the audit log). The orderers' 現場管理費等 allowances are
settings a superuser maintains.
"""

from __future__ import annotations

from django.contrib import admin

from esurety.advances.models import (
    AdvanceAccount,
    Deposit,
    OverheadAllowance,
    Payee,
    ProofDocument,
    UseStatement,
    UseStatementLine,
    Withdrawal,
)
from esurety.core.admin_base import ModelAdmin, ReadOnlyAdmin, ReadOnlyTabularInline


@admin.register(OverheadAllowance)
class OverheadAllowanceAdmin(ModelAdmin[OverheadAllowance]):
    list_display = (
        "orderer",
        "effective_from",
        "effective_until",
        "contract_article",
        "ratio_numerator",
        "ratio_denominator",
    )
    list_select_related = ("orderer",)
    search_fields = ("orderer__name", "contract_article")


@admin.register(AdvanceAccount)
class AdvanceAccountAdmin(ReadOnlyAdmin[AdvanceAccount]):
    list_display = ("guarantee", "bank_branch", "account_type", "account_number", "status", "opened_at")
    list_filter = ("status", "bank")
    list_select_related = ("guarantee", "bank_branch__bank")
    search_fields = ("guarantee__number", "account_number", "holder_kana")
    raw_id_fields = ("guarantee",)


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin[Deposit]):
    list_display = ("account", "kind", "amount", "booked_on", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("account__bank_branch__bank", "recorded_by")
    search_fields = ("account__guarantee__number",)


class UseStatementLineInline(ReadOnlyTabularInline[UseStatementLine, UseStatement]):
    model = UseStatementLine
    fields = ("line_no", "category", "payee_name", "amount", "planned_on", "method")
    show_change_link = False


@admin.register(UseStatement)
class UseStatementAdmin(ReadOnlyAdmin[UseStatement]):
    list_display = ("account", "version", "status", "advance_amount", "submitted_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("account__bank_branch__bank",)
    search_fields = ("account__guarantee__number",)
    inlines = (UseStatementLineInline,)


@admin.register(ProofDocument)
class ProofDocumentAdmin(ReadOnlyAdmin[ProofDocument]):
    list_display = ("statement", "line_no", "kind", "original_name", "size", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("statement__account__guarantee__number", "sha256", "original_name")


@admin.register(Payee)
class PayeeAdmin(ReadOnlyAdmin[Payee]):
    list_display = ("name", "contractor", "bank_name", "branch_name", "account_number", "is_active")
    list_select_related = ("contractor",)
    search_fields = ("name", "contractor__name")


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin[Withdrawal]):
    list_display = ("number", "status", "category", "amount", "payee_name", "requested_on", "paid_on", "bank_branch")
    list_filter = ("status", "category")
    list_select_related = ("bank_branch__bank",)
    search_fields = ("number", "payee_name")
    raw_id_fields = ("account", "statement", "line")
    ordering = ("-requested_at",)
    show_full_result_count = False
