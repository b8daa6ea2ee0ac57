"""前払金の使途: the account of a concluded advance guarantee, its use statement (versions, proofs), 使途変更.

Everything is read through advances.selectors scoped to the user's company: an
account, a version or a proof of another company is a 404, and so is every POST
to it. Writes are one service call each; a broken rule comes back beside its field
(400), nothing half-written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.advances import selectors, services
from esurety.advances.kinds import (
    EDITABLE_STATEMENT_STATUSES,
    AccountStatus,
    StatementStatus,
    WithdrawalStatus,
)
from esurety.advances.models import AdvanceAccount, UseStatement
from esurety.contractor.forms_advances import (
    AccountForm,
    BaseLineFormSet,
    ChangeReasonForm,
    LineFormSet,
    ProofForm,
    line_initial,
)
from esurety.contractor.views.access import contractor_required, portal_user
from esurety.core import clock
from esurety.core.errors import DomainError
from esurety.core.kinds import ADVANCE_KINDS
from esurety.guarantees import selectors as guarantee_selectors
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import User
from esurety.web import advance_documents
from esurety.web.downloads import content_disposition

WITHDRAWALS_SHOWN = 100


def account_or_404(user: User, number: str) -> AdvanceAccount:
    account = selectors.advance_account_for(user=user, number=number)
    if account is None:
        raise Http404("前払金専用口座が見つかりません。")
    return account


def _advance_guarantee_or_404(user: User, number: str) -> Guarantee:
    g = guarantee_selectors.guarantee_for_contractor(user=user, number=number)
    if g is None or g.kind not in ADVANCE_KINDS:
        raise Http404("前払金保証が見つかりません。")
    return g


def _open_statement(user: User, account: AdvanceAccount) -> UseStatement | None:
    return (
        selectors.use_statements_for(user=user, account=account)
        .exclude(status__in=(StatementStatus.ACCEPTED, StatementStatus.SUPERSEDED))
        .first()
    )


def home_url(number: str) -> str:
    return reverse("contractor:advance", args=[number])


@require_http_methods(["GET", "POST"])
@contractor_required
def advance_home(request: HttpRequest, number: str) -> HttpResponse:
    """The account per use line, the statement's versions, the requests; or the account's registration."""
    user = portal_user(request)
    account = selectors.advance_account_for(user=user, number=number)
    if account is None:
        return _register(request, user, _advance_guarantee_or_404(user, number))
    if request.method == "POST":
        raise Http404
    return _render_home(request, user, account)


def _render_home(
    request: HttpRequest,
    user: User,
    account: AdvanceAccount,
    *,
    change_form: ChangeReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.account_view(account=account, today=clock.business_date())
    statements = list(selectors.use_statements_for(user=user, account=account))
    withdrawals = list(selectors.withdrawals_for_account(account=account)[:WITHDRAWALS_SHOWN])
    open_statement = next(
        (s for s in statements if s.status not in (StatementStatus.ACCEPTED, StatementStatus.SUPERSEDED)), None
    )
    g = account.guarantee
    return render(
        request,
        "contractor/advances/home.html",
        {
            "account": account,
            "g": g,
            "v": view,
            "statements": statements,
            "open_statement": open_statement,
            "editable": open_statement is not None and open_statement.status in EDITABLE_STATEMENT_STATUSES,
            "withdrawals": withdrawals,
            "left_total": sum(line.left for line in view.lines),
            "more_withdrawals": len(withdrawals) >= WITHDRAWALS_SHOWN,
            "change_form": change_form or ChangeReasonForm(),
            "can_request": view.statement is not None
            and account.status == AccountStatus.ACTIVE
            and g.status == GuaranteeStatus.ACTIVE,
            "RETURNED": WithdrawalStatus.RETURNED,
            "STOPPED": AccountStatus.STOPPED,
        },
        status=status,
    )


def _register(request: HttpRequest, user: User, g: Guarantee) -> HttpResponse:
    if g.status != GuaranteeStatus.ACTIVE:
        raise Http404("有効な前払金保証ではありません。")
    branches = selectors.bank_branches_for_guarantee(guarantee=g, on=clock.business_date())
    form = AccountForm(request.POST or None, branches=branches)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.account_open(guarantee=g, by=user, data=form.to_input(), now=clock.now())
            except DomainError as error:
                form.add_violations(error)
            else:
                messages.success(request, "前払金専用口座を登録しました。次に前払金使途内訳明細書を作成してください。")
                return redirect(home_url(g.number))
        status = 400
    return render(request, "contractor/advances/register.html", {"g": g, "form": form}, status=status)


# ---------------------------------------------------------------------------
# The statement: write, attach, submit


def _edit_context(
    user: User,
    account: AdvanceAccount,
    statement: UseStatement | None,
    *,
    formset: Any = None,
    reason_form: ChangeReasonForm | None = None,
    proof_form: ProofForm | None = None,
    top_errors: list[str] | None = None,
) -> dict[str, Any]:
    lines = list(statement.lines.all()) if statement is not None else []
    if formset is None:
        formset = LineFormSet(initial=line_initial(lines), prefix="lines")
    if reason_form is None and statement is not None and statement.version > 1:
        reason_form = ChangeReasonForm(initial={"change_reason": statement.change_reason})
    proofs = list(selectors.proofs_for(statement=statement)) if statement is not None else []
    return {
        "account": account,
        "g": account.guarantee,
        "statement": statement,
        "formset": formset,
        "reason_form": reason_form,
        "proof_form": proof_form or ProofForm(lines=lines),
        "proofs": proofs,
        "saved_lines": lines,
        "top_errors": top_errors or [],
        "advance_amount": account.guarantee.guaranteed_amount,
    }


def _editable_or_redirect(user: User, account: AdvanceAccount) -> UseStatement | None | HttpResponse:
    """The version the contractor may edit now; None for a first statement; else where to go instead."""
    statement = _open_statement(user, account)
    if statement is not None:
        if statement.status in EDITABLE_STATEMENT_STATUSES:
            return statement
        return redirect("contractor:advance_statement", number=account.guarantee.number, version=statement.version)
    if selectors.use_statements_for(user=user, account=account).exists():
        # An accepted statement is never edited: a 使途変更 starts a new version.
        return redirect(home_url(account.guarantee.number))
    return None


@require_http_methods(["GET", "POST"])
@contractor_required
def statement_edit(request: HttpRequest, number: str) -> HttpResponseBase:
    user = portal_user(request)
    account = account_or_404(user, number)
    found = _editable_or_redirect(user, account)
    if isinstance(found, HttpResponse):
        return found
    statement = found
    if request.method == "GET":
        return render(request, "contractor/advances/statement_edit.html", _edit_context(user, account, statement))

    formset = LineFormSet(request.POST, prefix="lines")
    assert isinstance(formset, BaseLineFormSet)
    reason_form = ChangeReasonForm(request.POST) if statement is not None and statement.version > 1 else None
    if not formset.is_valid() or (reason_form is not None and not reason_form.is_valid()):
        ctx = _edit_context(user, account, statement, formset=formset, reason_form=reason_form)
        return render(request, "contractor/advances/statement_edit.html", ctx, status=400)
    lines = formset.to_lines()
    now = clock.now()
    try:
        if statement is None:
            statement = services.use_statement_create(account=account, by=user, lines=lines, now=now)
        else:
            statement = services.use_statement_update_draft(
                statement=statement,
                by=user,
                lines=lines,
                now=now,
                change_reason=reason_form.cleaned_data["change_reason"] if reason_form is not None else None,
            )
    except DomainError as error:
        top = formset.add_violations(error, extra=reason_form)
        ctx = _edit_context(user, account, statement, top_errors=top, formset=formset, reason_form=reason_form)
        return render(request, "contractor/advances/statement_edit.html", ctx, status=400)

    if "submit" not in request.POST:
        messages.success(request, "明細書を保存しました（下書き）。確認書類を添付して「提出する」を押してください。")
        return redirect("contractor:advance_statement_edit", number=number)
    try:
        services.use_statement_submit(statement=statement, by=user, now=clock.now())
    except DomainError as error:
        top = formset.add_violations(error, extra=reason_form)
        ctx = _edit_context(user, account, statement, top_errors=top, formset=formset, reason_form=reason_form)
        messages.error(request, "内容に誤りがあるため提出できませんでした。入力内容は下書きとして保存しました。")
        return render(request, "contractor/advances/statement_edit.html", ctx, status=400)
    messages.success(
        request, f"前払金使途内訳明細書（第{statement.version}版）を提出しました。保証会社の確認をお待ちください。"
    )
    return redirect("contractor:advance_statement", number=number, version=statement.version)


@require_POST
@contractor_required
def proof_upload(request: HttpRequest, number: str) -> HttpResponseBase:
    user = portal_user(request)
    account = account_or_404(user, number)
    found = _editable_or_redirect(user, account)
    if isinstance(found, HttpResponse) or found is None:
        raise Http404("書類を添付できる明細書がありません。")
    statement = found
    form = ProofForm(request.POST, request.FILES, lines=statement.lines.all())
    if form.is_valid():
        try:
            services.proof_attach(
                statement=statement,
                by=user,
                line_no=form.cleaned_data["line_no"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                now=clock.now(),
            )
        except DomainError as error:
            form.add_violations(error)
        else:
            messages.success(request, "確認書類を添付しました。")
            return redirect("contractor:advance_statement_edit", number=number)
    ctx = _edit_context(user, account, statement, proof_form=form)
    return render(request, "contractor/advances/statement_edit.html", ctx, status=400)


@require_POST
@contractor_required
def proof_remove(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    user = portal_user(request)
    account = account_or_404(user, number)
    proof = selectors.proof_for(user=user, pk=pk)
    if proof is None or proof.statement.account_id != account.pk:
        raise Http404("書類が見つかりません。")
    try:
        services.proof_remove(proof=proof, by=user, now=clock.now())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(home_url(number))
    messages.success(request, f"確認書類「{proof.original_name}」を外しました。")
    return redirect("contractor:advance_statement_edit", number=number)


@require_GET
@contractor_required
def proof_download(request: HttpRequest, number: str, pk: int) -> FileResponse:
    user = portal_user(request)
    account = account_or_404(user, number)
    proof = selectors.proof_for(user=user, pk=pk)
    if proof is None or proof.statement.account_id != account.pk:
        raise Http404("書類が見つかりません。")
    response = FileResponse(proof.file.open("rb"), content_type=proof.content_type)
    response["Content-Disposition"] = content_disposition(proof.original_name, fallback=f"proof-{proof.pk}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@contractor_required
def statement_detail(request: HttpRequest, number: str, version: int) -> HttpResponse:
    user = portal_user(request)
    account = account_or_404(user, number)
    statement = selectors.use_statements_for(user=user, account=account).filter(version=version).first()
    if statement is None:
        raise Http404("この版の明細書はありません。")
    proofs = list(selectors.proofs_for(statement=statement))
    lines = list(statement.lines.all())
    by_line: dict[int, list[Any]] = {}
    for p in proofs:
        by_line.setdefault(p.line_no, []).append(p)
    return render(
        request,
        "contractor/advances/statement_detail.html",
        {
            "account": account,
            "g": account.guarantee,
            "statement": statement,
            "here": f"明細書 第{statement.version}版",
            "rows": [(line, by_line.get(line.line_no, [])) for line in lines],
            "total": sum(x.amount for x in lines),
            "editable": statement.status in EDITABLE_STATEMENT_STATUSES,
            "versions": list(selectors.use_statements_for(user=user, account=account)),
        },
    )


@require_GET
@contractor_required
def statement_pdf(request: HttpRequest, number: str, version: int) -> HttpResponse:
    """The version as the surety receives it, for the contractor's own records."""
    user = portal_user(request)
    account = account_or_404(user, number)
    statement = selectors.use_statements_for(user=user, account=account).filter(version=version).first()
    if statement is None:
        raise Http404("この版の明細書はありません。")
    return advance_documents.use_statement_pdf_response(statement)


@require_POST
@contractor_required
def statement_change(request: HttpRequest, number: str) -> HttpResponseBase:
    """使途変更: a new draft version copied from the accepted one."""
    user = portal_user(request)
    account = account_or_404(user, number)
    form = ChangeReasonForm(request.POST)
    if form.is_valid():
        try:
            st = services.use_statement_change(
                account=account, by=user, reason=form.cleaned_data["change_reason"], now=clock.now()
            )
        except DomainError as error:
            for v in error.violations or []:
                if v.field in form.fields:
                    form.add_error(v.field, v.message)
            if not form.errors:
                form.add_error(None, error.message)
        else:
            messages.success(request, f"使途変更のため第{st.version}版を作成しました。内訳を直して提出してください。")
            return redirect("contractor:advance_statement_edit", number=number)
    return _render_home(request, user, account, change_form=form, status=400)


@require_GET
@contractor_required
def advance_list(request: HttpRequest) -> HttpResponse:
    """The company's advance accounts, and the concluded advance guarantees still without one."""
    user = portal_user(request)
    return render(
        request,
        "contractor/advances/list.html",
        {
            "accounts": list(selectors.advance_accounts_for(user=user)[:200]),
            "awaiting": list(selectors.guarantees_awaiting_account_for_contractor(user=user)[:200]),
        },
    )
