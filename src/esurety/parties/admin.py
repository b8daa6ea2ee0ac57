"""Django admin for platform superusers: organisations, their adoption rules and users."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from esurety.core.admin_base import ModelAdmin, TabularInline
from esurety.core.admin_base import UserAdmin as BaseUserAdmin
from esurety.parties.models import (
    Branch,
    Contractor,
    DepositBank,
    DepositBankBranch,
    ElectronicAdoption,
    Orderer,
    OrdererDepartment,
    SuretyBankContract,
    SuretyCompany,
    User,
)


class BranchInline(TabularInline[Branch, SuretyCompany]):
    model = Branch
    fields = ("name", "postal_code", "address", "tel", "fax")
    extra = 0


@admin.register(SuretyCompany)
class SuretyCompanyAdmin(ModelAdmin[SuretyCompany]):
    list_display = ("name", "postal_code", "address", "representative_title", "representative_name")
    search_fields = ("name", "address")
    inlines = (BranchInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Branch)
class BranchAdmin(ModelAdmin[Branch]):
    list_display = ("name", "surety", "address", "tel", "fax")
    list_filter = ("surety",)
    list_select_related = ("surety",)
    search_fields = ("name", "address", "surety__name")


@admin.register(Contractor)
class ContractorAdmin(ModelAdmin[Contractor]):
    list_display = ("name", "address", "representative_title", "representative_name")
    search_fields = ("name", "address", "representative_name")


class ElectronicAdoptionInline(TabularInline[ElectronicAdoption, Orderer]):
    model = ElectronicAdoption
    fields = ("work_category", "kind", "effective_from", "effective_until")
    extra = 0


class OrdererDepartmentInline(TabularInline[OrdererDepartment, Orderer]):
    model = OrdererDepartment
    fields = ("name", "email", "handles_kinds")
    extra = 0


@admin.register(Orderer)
class OrdererAdmin(ModelAdmin[Orderer]):
    list_display = ("name", "organisation_name", "address", "adoption_summary")
    search_fields = ("name", "organisation_name", "departments__email")
    inlines = (ElectronicAdoptionInline, OrdererDepartmentInline)

    @admin.display(description="電子保証の導入（契約締結日）")
    def adoption_summary(self, obj: Orderer) -> str:
        starts = sorted({a.effective_from for a in obj.adoptions.all()})
        return "、".join(f"{d:%Y-%m-%d}〜" for d in starts) or "未導入（書面のみ）"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Orderer]:
        return super().get_queryset(request).prefetch_related("adoptions")


class DepositBankBranchInline(TabularInline[DepositBankBranch, DepositBank]):
    model = DepositBankBranch
    fields = ("code", "name")
    extra = 0


class SuretyBankContractInline(TabularInline[SuretyBankContract, DepositBank]):
    model = SuretyBankContract
    fields = ("surety", "effective_from", "effective_until")
    extra = 0


@admin.register(DepositBank)
class DepositBankAdmin(ModelAdmin[DepositBank]):
    list_display = ("code", "name")
    search_fields = ("code", "name", "branches__name")
    inlines = (DepositBankBranchInline, SuretyBankContractInline)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "display_name", "email", "organisation", "role", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser", "surety")
    list_select_related = ("surety", "branch", "contractor", "orderer", "deposit_bank", "bank_branch")
    search_fields = (
        "username",
        "email",
        "display_name",
        "surety__name",
        "contractor__name",
        "orderer__name",
        "deposit_bank__name",
    )
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "所属と権限",
            {
                "fields": (
                    "display_name",
                    "email",
                    "surety",
                    "branch",
                    "contractor",
                    "orderer",
                    "deposit_bank",
                    "bank_branch",
                    "role",
                )
            },
        ),
        ("状態", {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    # The organisation fields are on the add form too: a user belongs to exactly one
    # organisation (a database constraint), so they must be chosen when the user is created.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "display_name",
                    "email",
                    "surety",
                    "branch",
                    "contractor",
                    "orderer",
                    "deposit_bank",
                    "bank_branch",
                    "role",
                    "is_superuser",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="所属")
    def organisation(self, obj: User) -> str:
        if obj.branch is not None:
            return str(obj.branch)
        if obj.bank_branch is not None:
            return str(obj.bank_branch)
        return obj.organisation_name or ("（システム管理者）" if obj.is_superuser else "")
