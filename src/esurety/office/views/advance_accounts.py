"""前払金専用口座 in the back office (保証事業法 art. 27 audit): the list, one account as audited,
払出停止 / 再開 / 閉鎖 with a reason, the accounts worth a look, and the 払出依頼書 PDFs.

Any staff member of the guarantee's branch (or a surety-wide one) sees the account; stopping
is for any of them, resuming and closing for an approver (advances.services decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from esurety.advances import selectors, services
from esurety.advances.kinds import AccountStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.core.normalize import normalize_guarantee_number, parse_ascii_int
from esurety.office.access import staff_required, staff_user
from esurety.office.advance_forms import AccountCloseForm, AccountResumeForm, AccountStopForm
from esurety.office.views.advance_common import account_or_404, advance_history
from esurety.office.views.lifecycle_common import error_message, paginate
from esurety.parties.permissions import is_approver
from esurety.web import advance_documents

_NOT_IN_A_NUMBER = re.compile(r"[^0-9A-Z]")


@require_GET
@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", "")
    if status not in AccountStatus.values:
        status = ""
    # Only what a guarantee number is made of: a NUL byte (or any other odd character) would
    # reach the database, and PostgreSQL refuses NUL in text.
    number = _NOT_IN_A_NUMBER.sub("", normalize_guarantee_number(request.GET.get("number", "")))[:20]
    # The home page's 「金融機関で払出待ちの払出依頼」 leads here: show which accounts have them.
    waiting_only = request.GET.get("waiting") == "1"
    accounts = selectors.advance_accounts_for(user=user).annotate(
        waiting_count=Count("withdrawals", filter=Q(withdrawals__status=WithdrawalStatus.REQUESTED), distinct=True)
    )
    if status:
        accounts = accounts.filter(status=status)
    if number:
        accounts = accounts.filter(guarantee__number__startswith=number)
    if waiting_only:
        accounts = accounts.filter(waiting_count__gt=0)
    query = {k: v for k, v in (("status", status), ("number", number), ("waiting", "1" if waiting_only else "")) if v}
    listing = paginate(request, accounts, query)
    return render(
        request,
        "office/advance_accounts.html",
        {
            "office_tab": "advance_accounts",
            "listing": listing,
            "page": listing.page,
            "links": listing.links,
            "status": status,
            "number": number,
            "waiting_only": waiting_only,
            "statuses": AccountStatus.choices,
            "searched": bool(query),
        },
    )


@require_GET
@staff_required
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    account = account_or_404(user, number)
    today = business_date()
    view = selectors.account_view(account=account, today=today)
    status = request.GET.get("w_status", "")
    if status not in WithdrawalStatus.values:
        status = ""
    line_no = parse_ascii_int(request.GET.get("line"))
    if line_no is not None and not any(x.line_no == line_no for x in view.lines):
        line_no = None
    withdrawals = selectors.withdrawals_for_account(account=account, status=status, line_no=line_no)
    query: dict[str, Any] = {k: v for k, v in (("w_status", status), ("line", line_no)) if v}
    listing = paginate(request, withdrawals, query)
    versions = list(selectors.use_statements_for(user=user, account=account))
    approver = is_approver(user)
    return render(
        request,
        "office/advance_account.html",
        {
            "office_tab": "advance_accounts",
            "account": account,
            "g": account.guarantee,
            "v": view,
            "versions": versions,
            "listing": listing,
            "page": listing.page,
            "links": listing.links,
            "w_status": status,
            "w_line": line_no,
            "withdrawal_statuses": WithdrawalStatus.choices,
            "filtered": bool(query),
            "history": advance_history(account, versions),
            "can_stop": account.status == AccountStatus.ACTIVE,
            "can_resume": account.status == AccountStatus.STOPPED and approver,
            "can_close": account.status != AccountStatus.CLOSED and approver,
            "is_approver": approver,
            "statuses": AccountStatus,
        },
    )


@dataclass(frozen=True)
class _Step:
    title: str
    form: type[AccountStopForm | AccountResumeForm | AccountCloseForm]
    done: str
    button: str
    danger: bool


STEPS = {
    "stop": _Step(
        "払出停止",
        AccountStopForm,
        "払出を停止しました。金融機関は再開まで払出できません。保証契約者と金融機関に通知します。",
        "払出を停止する",
        True,
    ),
    "resume": _Step(
        "払出再開",
        AccountResumeForm,
        "払出を再開しました。保証契約者と金融機関に通知します。",
        "払出を再開する",
        False,
    ),
    "close": _Step(
        "口座の閉鎖",
        AccountCloseForm,
        "口座を閉鎖しました。残高は発注者が返還を求めることのできる額として表示されます。",
        "口座を閉鎖する",
        True,
    ),
}


def _run(step: str, account: AdvanceAccount, user: Any, reason: str) -> None:
    if step == "stop":
        services.account_stop(account=account, by=user, reason=reason, now=now())
    elif step == "resume":
        services.account_resume(account=account, by=user, reason=reason, now=now())
    else:
        services.account_close(account=account, by=user, reason=reason, now=now())


def _account_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    user = staff_user(request)
    account = account_or_404(user, number)
    spec = STEPS[step]
    form = spec.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _run(step, account, user, form.cleaned_data["reason"])
        except DomainError as exc:
            if any(v.field == "reason" for v in exc.violations):
                form.add_violations(exc)
            else:
                error_message(request, exc)
                return redirect("office:advance_account", number=account.guarantee.number)
        else:
            messages.success(request, spec.done)
            return redirect("office:advance_account", number=account.guarantee.number)
    balance = selectors.account_view(account=account, today=business_date()).balance
    return render(
        request,
        "office/advance_account_step.html",
        {
            "office_tab": "advance_accounts",
            "account": account,
            "g": account.guarantee,
            "step": step,
            "spec": spec,
            "form": form,
            "balance": balance,
            "allowed": step == "stop" or is_approver(user),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def account_stop(request: HttpRequest, number: str) -> HttpResponse:
    return _account_step(request, number, "stop")


@require_http_methods(["GET", "POST"])
@staff_required
def account_resume(request: HttpRequest, number: str) -> HttpResponse:
    return _account_step(request, number, "resume")


@require_http_methods(["GET", "POST"])
@staff_required
def account_close(request: HttpRequest, number: str) -> HttpResponse:
    return _account_step(request, number, "close")


@require_GET
@staff_required
def unusual_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    found = selectors.unusual_accounts_for_staff(user=user, today=business_date())
    return render(
        request,
        "office/advance_unusual.html",
        {"office_tab": "advance_unusual", "found": found},
    )


@require_GET
@staff_required
def withdrawal_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    withdrawal = selectors.withdrawal_for(user=staff_user(request), pk=pk)
    if withdrawal is None:
        raise Http404("払出依頼が見つかりません。")
    return advance_documents.withdrawal_pdf_response(withdrawal)
