"""払出依頼: the bank's list (filters, pages, CSV), one request with its line and account, 払出 and 差戻し.

Every read goes through advances.selectors scoped by the user (another bank's or another
branch's request is simply not found: 404); every write is one advances service.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import Withdrawal
from esurety.advances.selectors import (
    LineView,
    account_view,
    advance_accounts_for,
    withdrawal_for,
    withdrawals_for_bank,
)
from esurety.advances.services import withdrawal_pay, withdrawal_return
from esurety.bank.access import bank_required, bank_user
from esurety.bank.forms import CsvForm, PayForm, ReturnForm, WithdrawalFilterForm, WithdrawalFilters
from esurety.core.clock import TOKYO, business_date, now
from esurety.core.errors import DomainError, InvalidStateError
from esurety.core.paging import DeferredJoinPaginator, page_links
from esurety.parties.models import User
from esurety.parties.selectors import bank_branches
from esurety.web.downloads import CSV_ENCODINGS, csv_encoding, csv_response

PAGE_SIZE = 50


def _filter_form(request: HttpRequest, user: User) -> WithdrawalFilterForm:
    branches = (
        None
        if user.bank_branch_id is not None
        else [(b.pk, f"{b.code} {b.name}") for b in bank_branches(user.deposit_bank_id)]
    )
    # The contractors whose accounts this user sees (not every contractor on the platform).
    contractors = list(
        advance_accounts_for(user=user)
        .order_by("guarantee__contractor__name", "guarantee__contractor_id")
        .values_list("guarantee__contractor_id", "guarantee__contractor__name")
        .distinct()
    )
    return WithdrawalFilterForm(request.GET or None, branches=branches, contractors=contractors)


def _filtered(user: User, filters: WithdrawalFilters) -> QuerySet[Withdrawal]:
    return withdrawals_for_bank(
        user=user,
        status=filters.status,
        date_from=filters.date_from,
        date_to=filters.date_to,
        bank_branch_id=filters.bank_branch_id,
        contractor_id=filters.contractor_id,
    )


@require_GET
@bank_required
def withdrawal_list(request: HttpRequest) -> HttpResponse:
    user = bank_user(request)
    form = _filter_form(request, user)
    if request.GET and not form.is_valid():
        # Each wrong filter is named beside its field; nothing is listed for a query we cannot read.
        return render(request, "bank/withdrawal_list.html", {"form": form, "page": None, "tab": "list"}, status=400)
    filters = form.filters() if request.GET else WithdrawalFilters()
    paginator = DeferredJoinPaginator(_filtered(user, filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = filters.query()
    return render(
        request,
        "bank/withdrawal_list.html",
        {
            "form": form,
            "page": page,
            "links": page_links(page, query),
            "csv_form": CsvForm(),
            "csv_query": query,
            "encodings": CSV_ENCODINGS,
            "tab": "list",
        },
    )


CSV_HEADER = [
    "払出依頼番号",
    "状態",
    "依頼日",
    "払出希望日",
    "払出日",
    "支店コード",
    "支店名",
    "保証契約番号",
    "保証契約者",
    "口座番号",
    "使途",
    "行番号",
    "払出方法",
    "金額",
    "支払先",
    "振込先金融機関コード",
    "振込先金融機関名",
    "振込先支店コード",
    "振込先支店名",
    "振込先預金種目",
    "振込先口座番号",
    "振込先口座名義（カナ）",
    "差戻しの理由",
    "処理日時",
]


@require_GET
@bank_required
def withdrawal_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = bank_user(request)
    form = _filter_form(request, user)
    if request.GET and not form.is_valid():
        return render(request, "bank/withdrawal_list.html", {"form": form, "page": None, "tab": "list"}, status=400)
    filters = form.filters() if request.GET else WithdrawalFilters()
    withdrawals = _filtered(user, filters).select_related("account")

    def rows() -> Iterator[list[object]]:
        for w in withdrawals.iterator(chunk_size=500):
            yield [
                w.number,
                w.get_status_display(),
                w.requested_on.isoformat(),
                w.desired_on.isoformat(),
                w.paid_on.isoformat() if w.paid_on else "",
                w.bank_branch.code,
                w.bank_branch.name,
                w.account.guarantee.number,
                w.contractor.name,
                w.account.account_number,
                w.get_category_display(),
                w.line_no,
                w.get_method_display(),
                w.amount,
                w.payee_name,
                w.payee_bank_code,
                w.payee_bank_name,
                w.payee_branch_code,
                w.payee_branch_name,
                w.get_payee_account_type_display() if w.payee_account_type else "",
                w.payee_account_number,
                w.payee_holder_kana,
                w.return_reason,
                w.acted_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if w.acted_at else "",
            ]

    return csv_response(
        CSV_HEADER,
        rows(),
        filename=f"払出依頼一覧_{business_date().strftime('%Y%m%d')}.csv",
        fallback="withdrawals.csv",
        encoding=csv_encoding(request.GET.get("encoding")),
    )


def _withdrawal_or_404(user: User, pk: int) -> Withdrawal:
    found = withdrawal_for(user=user, pk=pk)
    if found is None:
        # Another bank's or another branch's request, or none at all: one answer.
        raise Http404("払出依頼が見つかりません。")
    return found


def _detail(
    request: HttpRequest,
    w: Withdrawal,
    *,
    pay_form: PayForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = business_date()
    view = account_view(account=w.account, today=today)
    line: LineView | None = next((x for x in view.lines if x.line_no == w.line_no), None)
    waiting = w.status == WithdrawalStatus.REQUESTED
    context: dict[str, Any] = {
        "w": w,
        "account": w.account,
        "guarantee": w.account.guarantee,
        "view": view,
        "line": line,
        # What the line may still pay out (paid taken off; this request is not paid yet).
        "line_unpaid": line.amount - line.paid if line else None,
        "line_after": line.amount - line.paid - w.amount if line and waiting else None,
        "waiting": waiting,
        "pay_form": pay_form or PayForm(initial={"paid_on": today}),
        "return_form": return_form or ReturnForm(),
        "tab": "list",
    }
    return render(request, "bank/withdrawal.html", context, status=status)


@require_GET
@bank_required
def withdrawal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = bank_user(request)
    return _detail(request, _withdrawal_or_404(user, pk))


def _refused(exc: DomainError) -> int:
    # A state that forbids it (already paid, account stopped) is a conflict; bad input is a 400.
    return 409 if isinstance(exc, InvalidStateError) else 400


@require_POST
@bank_required
def withdrawal_pay_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = bank_user(request)
    w = _withdrawal_or_404(user, pk)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _detail(request, w, pay_form=form, status=400)
    try:
        paid = withdrawal_pay(withdrawal=w, by=user, paid_on=form.cleaned_data["paid_on"], now=now())
    except DomainError as exc:
        form.add_violations(exc)
        return _detail(request, _withdrawal_or_404(user, pk), pay_form=form, status=_refused(exc))
    messages.success(
        request, f"払出依頼 {paid.number} を払出済にしました。保証契約者と保証事業会社へ払出を報告します。"
    )
    return redirect(reverse("bank:withdrawal", args=[paid.pk]))


@require_POST
@bank_required
def withdrawal_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = bank_user(request)
    w = _withdrawal_or_404(user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, w, return_form=form, status=400)
    try:
        returned = withdrawal_return(withdrawal=w, by=user, reason=form.cleaned_data["reason"], now=now())
    except DomainError as exc:
        form.add_violations(exc)
        return _detail(request, _withdrawal_or_404(user, pk), return_form=form, status=_refused(exc))
    messages.success(request, f"払出依頼 {returned.number} を差戻しました。理由は保証契約者に通知します。")
    return redirect(reverse("bank:withdrawal", args=[returned.pk]))
