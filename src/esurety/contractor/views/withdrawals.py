"""払出依頼書: one at a time, or many from a CSV validated as a whole file; the payee book (支払先台帳).

The CSV is read by advances.withdrawal_csv (pure) and requested by
services.withdrawals_request_bulk (all or nothing): any bad line, whether of
form (a date that is no date) or of rule (one yen over what is left of a line),
and nothing is requested; the page lists every line, column and reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.advances import selectors, services, withdrawal_csv
from esurety.advances.kinds import AccountStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount, Payee
from esurety.advances.selectors import AccountView
from esurety.contractor.forms_advances import CsvUploadForm, PayeeForm, WithdrawalForm
from esurety.contractor.views.access import contractor_required, portal_user
from esurety.contractor.views.advances import account_or_404, home_url
from esurety.core import clock
from esurety.core.errors import DomainError
from esurety.core.normalize import parse_ascii_int
from esurety.core.paging import DeferredJoinPaginator, page_links
from esurety.guarantees.models import GuaranteeStatus
from esurety.parties.models import User
from esurety.web import advance_documents
from esurety.web.downloads import csv_response


def _requestable_or_404(user: User, number: str) -> tuple[AdvanceAccount, AccountView]:
    account = account_or_404(user, number)
    view = selectors.account_view(account=account, today=clock.business_date())
    return account, view


def _closed_reason(account: AdvanceAccount, view: AccountView) -> str:
    if view.statement is None:
        return "承認済の前払金使途内訳明細書がないため、払出を依頼できません。"
    if account.status == AccountStatus.STOPPED:
        return f"この口座は保証会社により払出停止中です（理由: {account.stop_reason}）。"
    if account.status == AccountStatus.CLOSED or account.guarantee.status != GuaranteeStatus.ACTIVE:
        return "この口座からは払出を依頼できません。"
    return ""


@require_http_methods(["GET", "POST"])
@contractor_required
def withdrawal_new(request: HttpRequest, number: str) -> HttpResponseBase:
    user = portal_user(request)
    account, view = _requestable_or_404(user, number)
    payees = list(selectors.payees_for_contractor(user=user))
    initial: dict[str, Any] = {"desired_on": clock.business_date()}
    line_no = parse_ascii_int(request.GET.get("line"), max_digits=6)
    if line_no is not None:
        initial["line_no"] = line_no
    form = WithdrawalForm(request.POST or None, lines=view.lines, payees=payees, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            payee_id = form.payee_id()
            payee = form.payee_input("payee_") if payee_id is None else None
            data = services.WithdrawalInput(
                account_id=account.pk,
                line_no=form.cleaned_data["line_no"],
                amount=form.cleaned_data["amount"],
                desired_on=form.cleaned_data["desired_on"],
                payee=payee,
                payee_id=payee_id,
            )
            try:
                w = services.withdrawal_request(by=user, data=data, now=clock.now())
            except DomainError as error:
                form.add_violations(error)
            else:
                if payee is not None and form.cleaned_data.get("save_payee"):
                    _save_to_book(request, user, payee)
                messages.success(
                    request, f"払出依頼書 {w.number}（{w.amount:,}円）を提出しました。銀行の払出をお待ちください。"
                )
                return redirect(home_url(number))
    return render(
        request,
        "contractor/advances/withdrawal_new.html",
        {
            "account": account,
            "g": account.guarantee,
            "v": view,
            "form": form,
            "closed_reason": _closed_reason(account, view),
        },
        status=status,
    )


def _save_to_book(request: HttpRequest, user: User, payee: services.PayeeInput) -> None:
    # The request is made; a payee already in the book (or not storable) is only told, never an error.
    try:
        services.payee_save(by=user, data=payee, now=clock.now())
    except DomainError as error:
        messages.info(
            request,
            f"支払先台帳には登録しませんでした（{error.violations[0].message if error.violations else error.message}）",
        )


@require_http_methods(["GET", "POST"])
@contractor_required
def withdrawal_upload(request: HttpRequest, number: str) -> HttpResponseBase:
    user = portal_user(request)
    account, view = _requestable_or_404(user, number)
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    errors: list[withdrawal_csv.LineError] = []
    parsed: withdrawal_csv.Parsed | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read(withdrawal_csv.MAX_FILE_BYTES + 1)
            book = {p.name: p.pk for p in selectors.payees_for_contractor(user=user)}
            parsed = withdrawal_csv.parse_withdrawal_csv(content, account_id=account.pk, book=book)
            errors = parsed.errors
            if not parsed.ok and parsed.items and len(errors) < withdrawal_csv.MAX_REPORTED_ERRORS:
                # Unreadable lines, and the readable ones checked by the rules too: one upload, every error.
                try:
                    found = services.withdrawals_check_bulk(by=user, items=parsed.items, now=clock.now())
                except DomainError as error:
                    found = error.violations
                errors = withdrawal_csv.merge_errors(errors, withdrawal_csv.errors_from_violations(parsed, found))
                parsed.error_count += len(errors) - len(parsed.errors)
            if parsed.ok:
                try:
                    made = services.withdrawals_request_bulk(by=user, items=parsed.items, now=clock.now())
                except DomainError as error:
                    errors = withdrawal_csv.errors_from_violations(parsed, error.violations)
                    if not errors:
                        errors = [withdrawal_csv.LineError(0, "", error.message)]
                else:
                    total = sum(w.amount for w in made)
                    messages.success(
                        request,
                        f"{len(made):,}件の払出依頼書（合計 {total:,}円）を提出しました。銀行の払出をお待ちください。",
                    )
                    return redirect(home_url(number))
    return render(
        request,
        "contractor/advances/withdrawal_upload.html",
        {
            "account": account,
            "g": account.guarantee,
            "v": view,
            "form": form,
            "errors": errors,
            "error_count": max(len(errors), parsed.error_count if parsed else 0),
            "bad_lines": len({e.line for e in errors if e.line}),
            "parsed": parsed,
            "columns": withdrawal_csv.COLUMNS,
            "max_kb": withdrawal_csv.MAX_FILE_BYTES // 1024,
            "row_limit": withdrawal_csv.ROW_LIMIT,
            "closed_reason": _closed_reason(account, view),
        },
        status=status,
    )


@require_GET
@contractor_required
def withdrawal_template(request: HttpRequest, number: str) -> StreamingHttpResponse:
    user = portal_user(request)
    account, view = _requestable_or_404(user, number)
    lines = [withdrawal_csv.TemplateLine(x.line_no, x.category, x.payee_name) for x in view.lines]
    rows = withdrawal_csv.template_rows(lines, desired_on=clock.business_date())
    # csv_response neutralises formula cells (a payee typed as 「=…」 arrives as text).
    return csv_response(
        withdrawal_csv.template_header(),
        rows,
        filename=f"払出依頼_{account.guarantee.number}.csv",
        fallback=f"withdrawals_{account.guarantee.number}.csv",
    )


PAGE_SIZE = 20


@require_GET
@contractor_required
def withdrawal_list(request: HttpRequest) -> HttpResponse:
    """Every request of the company, newest first, by state (依頼中, 払出済, 差戻し)."""
    user = portal_user(request)
    status = request.GET.get("status", "")
    if status not in WithdrawalStatus.values:
        status = ""
    paginator = DeferredJoinPaginator(selectors.withdrawals_for_contractor(user=user, status=status), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "contractor/advances/withdrawals.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "links": page_links(page, {"status": status}),
            "status": status,
            "statuses": WithdrawalStatus.choices,
            "RETURNED": WithdrawalStatus.RETURNED,
        },
    )


# ---------------------------------------------------------------------------
# 支払先台帳


def _payee_or_404(user: User, pk: int) -> Payee:
    payee = selectors.payees_for_contractor(user=user).filter(pk=pk).first()
    if payee is None:
        raise Http404("支払先が見つかりません。")
    return payee


@require_http_methods(["GET", "POST"])
@contractor_required
def payee_list(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    form = PayeeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                p = services.payee_save(by=user, data=form.payee_input(), now=clock.now())
            except DomainError as error:
                form.add_violations(error)
            else:
                messages.success(request, f"支払先「{p.name}」を台帳に登録しました。")
                return redirect("contractor:payees")
    payees = list(selectors.payees_for_contractor(user=user))
    return render(request, "contractor/advances/payees.html", {"form": form, "payees": payees}, status=status)


@require_http_methods(["GET", "POST"])
@contractor_required
def payee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    payee = _payee_or_404(user, pk)
    initial = {
        f: getattr(payee, f)
        for f in (
            "name",
            "bank_name",
            "bank_code",
            "branch_name",
            "branch_code",
            "account_type",
            "account_number",
            "holder_kana",
        )
    }
    form = PayeeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.payee_save(by=user, data=form.payee_input(), payee=payee, now=clock.now())
            except DomainError as error:
                form.add_violations(error)
            else:
                messages.success(request, f"支払先「{form.cleaned_data['name']}」を更新しました。")
                return redirect("contractor:payees")
    return render(request, "contractor/advances/payee_edit.html", {"form": form, "payee": payee}, status=status)


@require_POST
@contractor_required
def payee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    payee = _payee_or_404(user, pk)
    services.payee_remove(by=user, payee=payee, now=clock.now())
    messages.success(request, f"支払先「{payee.name}」を台帳から外しました（これまでの払出依頼はそのまま残ります）。")
    return redirect("contractor:payees")


@require_GET
@contractor_required
def withdrawal_pdf(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """払出依頼書 as sent to the bank, for the contractor's own records."""
    user = portal_user(request)
    account = account_or_404(user, number)
    withdrawal = selectors.withdrawal_for(user=user, pk=pk)
    if withdrawal is None or withdrawal.account_id != account.pk:
        raise Http404("払出依頼が見つかりません。")
    return advance_documents.withdrawal_pdf_response(withdrawal)
