"""前払金専用口座 as the bank holds them: the list, one account with the accepted statement's lines
(what each has paid, has waiting, has left), its deposits and requests, and 入金の記録.

The statement in force is the one the surety accepted and forwarded; drafts and statements
under review are never shown to the bank (advances.selectors).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from esurety.advances.kinds import DepositKind
from esurety.advances.models import AdvanceAccount
from esurety.advances.selectors import account_view, advance_account_for, advance_accounts_for, withdrawals_for_account
from esurety.advances.services import deposit_record
from esurety.bank.access import bank_required, bank_user
from esurety.bank.forms import DepositForm
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError, InvalidStateError
from esurety.core.money import format_yen
from esurety.core.paging import page_links
from esurety.parties.models import User

PAGE_SIZE = 50
RECENT_REQUESTS = 20


@require_GET
@bank_required
def account_list(request: HttpRequest) -> HttpResponse:
    user = bank_user(request)
    page = Paginator(advance_accounts_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bank/account_list.html", {"page": page, "links": page_links(page, {}), "tab": "accounts"})


def _account_or_404(user: User, number: str) -> AdvanceAccount:
    account = advance_account_for(user=user, number=number)
    if account is None:
        # Another bank's or another branch's account, or none: one answer.
        raise Http404("前払金専用口座が見つかりません。")
    return account


def _detail(
    request: HttpRequest, account: AdvanceAccount, form: DepositForm | None = None, status: int = 200
) -> HttpResponse:
    today = business_date()
    return render(
        request,
        "bank/account.html",
        {
            "account": account,
            "guarantee": account.guarantee,
            "view": account_view(account=account, today=today),
            "requests": withdrawals_for_account(account=account)[:RECENT_REQUESTS],
            "form": form or DepositForm(initial={"booked_on": today, "kind": DepositKind.ADVANCE}),
            "tab": "accounts",
        },
        status=status,
    )


@require_GET
@bank_required
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _account_or_404(bank_user(request), number))


@require_POST
@bank_required
def account_deposit(request: HttpRequest, number: str) -> HttpResponse:
    user = bank_user(request)
    account = _account_or_404(user, number)
    form = DepositForm(request.POST)
    if not form.is_valid():
        return _detail(request, account, form, status=400)
    try:
        deposit = deposit_record(
            account=account,
            by=user,
            kind=form.cleaned_data["kind"],
            amount=form.cleaned_data["amount"],
            booked_on=form.cleaned_data["booked_on"],
            note=form.cleaned_data["note"] or "",
            now=now(),
        )
    except DomainError as exc:
        form.add_violations(exc)
        return _detail(request, account, form, status=409 if isinstance(exc, InvalidStateError) else 400)
    messages.success(request, f"{deposit.get_kind_display()}の入金 {format_yen(deposit.amount)}円 を記録しました。")
    return redirect("bank:account", number=account.guarantee.number)
