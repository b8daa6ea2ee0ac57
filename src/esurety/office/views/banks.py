"""預託金融機関: the deposit banks (shared by the sureties that hold a 預託契約 with them), their
branches, this surety's contract, and the invitation of a bank's first 管理者 — as for orderers."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.accounts.services.bank_users import bank_admin_invite
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.office.access import staff_required, staff_user
from esurety.office.bank_forms import BankForm, BranchForm, ContractForm
from esurety.office.forms import InviteForm
from esurety.office.views.lifecycle_common import error_message, paginate
from esurety.parties.models import DepositBank, Role
from esurety.parties.permissions import can_manage_banks
from esurety.parties.selectors import (
    bank_branches,
    bank_people,
    deposit_banks_for_staff,
    surety_has_bank_contract,
)
from esurety.parties.services import BankInput, deposit_bank_branch_add, deposit_bank_contract_add, deposit_bank_create


def _list(request: HttpRequest, form: BankForm, status: int = 200) -> HttpResponse:
    user = staff_user(request)
    listing = paginate(request, deposit_banks_for_staff(user=user, on=business_date()), {})
    return render(
        request,
        "office/bank_list.html",
        {
            "office_tab": "banks",
            "page": listing.page,
            "links": listing.links,
            "listing": listing,
            "form": form,
            "may_edit": can_manage_banks(user),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def bank_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if request.method != "POST":
        return _list(request, BankForm(initial={"contract_from": business_date()}))
    form = BankForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    try:
        bank = deposit_bank_create(
            by=user,
            data=BankInput(name=form.cleaned_data["name"], code=form.cleaned_data["code"]),
            contract_from=form.cleaned_data["contract_from"],
            now=now(),
        )
    except DomainError as exc:
        form.add_violations(exc)
        return _list(request, form, status=403 if not can_manage_banks(user) else 400)
    messages.success(
        request, f"預託金融機関「{bank.name}」を登録しました。支店を追加し、最初の管理者を招待してください。"
    )
    return redirect("office:bank_detail", pk=bank.pk)


def _bank_or_404(pk: int) -> DepositBank:
    bank = DepositBank.objects.filter(pk=pk).first()
    if bank is None:
        raise Http404("預託金融機関が見つかりません。")
    return bank


def _detail(
    request: HttpRequest,
    bank: DepositBank,
    *,
    branch_form: BranchForm | None = None,
    invite_form: InviteForm | None = None,
    contract_form: ContractForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    people = list(bank_people(bank))
    return render(
        request,
        "office/bank.html",
        {
            "office_tab": "banks",
            "bank": bank,
            "branches": bank_branches(bank.pk),
            "contracts": bank.surety_contracts.select_related("surety").order_by("surety__name", "effective_from"),
            "contracted": surety_has_bank_contract(surety_id=user.surety_id, bank=bank),
            "people": people,
            "has_admin": any(u.is_active and u.role == Role.ORG_ADMIN for u in people),
            "may_edit": can_manage_banks(user),
            "branch_form": branch_form or BranchForm(),
            "invite_form": invite_form or InviteForm(),
            "contract_form": contract_form or ContractForm(initial={"effective_from": business_date()}),
        },
        status=status,
    )


@require_GET
@staff_required
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _bank_or_404(pk))


@require_POST
@staff_required
def bank_branch_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    bank = _bank_or_404(pk)
    form = BranchForm(request.POST)
    if not form.is_valid():
        return _detail(request, bank, branch_form=form, status=400)
    try:
        branch = deposit_bank_branch_add(
            by=user, bank=bank, name=form.cleaned_data["name"], code=form.cleaned_data["code"], now=now()
        )
    except DomainError as exc:
        if exc.violations:
            form.add_violations(exc)
            return _detail(request, bank, branch_form=form, status=400)
        error_message(request, exc)
    else:
        messages.success(request, f"{bank.name} {branch.name}（{branch.code}）を追加しました。")
    return redirect("office:bank_detail", pk=bank.pk)


@require_POST
@staff_required
def bank_contract_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    bank = _bank_or_404(pk)
    form = ContractForm(request.POST)
    if not form.is_valid():
        return _detail(request, bank, contract_form=form, status=400)
    try:
        deposit_bank_contract_add(by=user, bank=bank, effective_from=form.cleaned_data["effective_from"], now=now())
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, f"{bank.name}との預託契約を登録しました。")
    return redirect("office:bank_detail", pk=bank.pk)


@require_POST
@staff_required
def bank_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    bank = _bank_or_404(pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail(request, bank, invite_form=form, status=400)
    try:
        invited = bank_admin_invite(
            by=user,
            bank=bank,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            now=now(),
        )
    except DomainError as exc:
        if exc.violations:
            form.add_violations(exc)
            return _detail(request, bank, invite_form=form, status=400)
        error_message(request, exc)
    else:
        messages.success(
            request,
            f"{invited.display_name} 様（お客様ID {invited.username}）を{bank.name}の管理者として登録し、"
            "パスワード設定の案内を送信します。",
        )
    return redirect("office:bank_detail", pk=bank.pk)


urlpatterns = [
    path("", bank_list, name="bank_list"),
    path("<int:pk>/", bank_detail, name="bank_detail"),
    path("<int:pk>/branches/", bank_branch_add, name="bank_branch_add"),
    path("<int:pk>/contract/", bank_contract_add, name="bank_contract_add"),
    path("<int:pk>/invite/", bank_invite, name="bank_invite"),
]
