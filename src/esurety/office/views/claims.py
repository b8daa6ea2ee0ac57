"""The claims desk (履行請求): the queue, a claim's page with the guarantee, its history, the advance
account and the 保証金 line by line; ask for documents, assess, decide (four eyes), record payment.
Also 完成 recorded by staff from the orderer's notice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.claims import selectors
from esurety.claims import services as claims
from esurety.claims.kinds import ASSESSABLE_STATUSES, ClaimStatus, MessageSide
from esurety.claims.models import Claim
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.guarantees import selectors as guarantee_selectors
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.office.access import staff_required, staff_user
from esurety.parties.models import User
from esurety.parties.permissions import can_decide_claim
from esurety.web.claim_forms import AssessForm, CompletionForm, DecideForm, PaymentForm, RequestDocumentsForm
from esurety.web.claim_pages import claim_history_lines, claim_pdf_response, document_download

PAGE_SIZE = 20
TABS = [("", "対応中"), *ClaimStatus.choices]


def _claim_or_404(user: User, number: str) -> Claim:
    claim = selectors.claim_for_staff(user=user, number=number)
    if claim is None:
        raise Http404("履行請求が見つかりません。")
    return claim


def _guarantee_or_404(user: User, number: str) -> Guarantee:
    g = guarantee_selectors.guarantee_for_staff(user=user, number=number)
    if g is None:
        raise Http404("保証契約が見つかりません。")
    return g


@require_GET
@staff_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values:
        status = ""
    qs = selectors.claims_for_staff(user=user, status=status, open_only=not status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "office/claims/queue.html", {"office_tab": "claims", "page": page, "status": status, "tabs": TABS}
    )


def _detail(request: HttpRequest, claim: Claim, forms: dict[str, Any], status: int = 200) -> HttpResponse:
    user = staff_user(request)
    facts = selectors.claim_facts(claim)
    open_review = claim.status in ASSESSABLE_STATUSES
    # A refusal that names no field (state, authority, four eyes) shows on top, whichever panel it came from.
    refusals = [e for form in forms.values() for e in form.non_field_errors()]
    context = {
        "refusals": refusals,
        "office_tab": "claims",
        "claim": claim,
        "g": claim.guarantee,
        "facts": facts,
        "documents": list(selectors.documents_of(claim)),
        "messages_list": list(selectors.messages_of(claim)),
        "surety_side": MessageSide.SURETY,
        "history": claim_history_lines(claim.guarantee, show_actor=True),
        "can_review": open_review,
        "can_decide": open_review
        and claim.assessed_by_id is not None
        and can_decide_claim(user, assessed_by_id=claim.assessed_by_id),
        "can_pay": claim.status == ClaimStatus.PAYMENT_DECIDED,
        "request_form": forms.get("request") or RequestDocumentsForm(),
        "assess_form": forms.get("assess")
        or AssessForm(initial={"work_done_value": claim.assessed_work_done_value or claim.work_done_value}),
        "decide_form": forms.get("decide") or DecideForm(),
        "payment_form": forms.get("payment") or PaymentForm(initial={"paid_on": business_date()}),
    }
    return render(request, "office/claims/claim.html", context, status=status)


@require_GET
@staff_required
def claim_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _claim_or_404(staff_user(request), number), {})


@require_POST
@staff_required
def claim_request_documents(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    claim = _claim_or_404(user, number)
    form = RequestDocumentsForm(request.POST)
    if form.is_valid():
        try:
            claims.claim_request_documents(claim=claim, by=user, message=form.cleaned_data["message"], now=now())
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, "追加資料を依頼しました。発注者にメールでお知らせしました。")
            return redirect("office:claim_detail", number=claim.number)
    return _detail(request, claim, {"request": form}, status=400)


@require_POST
@staff_required
def claim_assess(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    claim = _claim_or_404(user, number)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            claims.claim_assess(
                claim=claim,
                by=user,
                work_done_value=form.cleaned_data.get("work_done_value"),
                note=form.cleaned_data["note"],
                now=now(),
            )
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, "審査を記録しました。審査した職員以外の承認者が決定します。")
            return redirect("office:claim_detail", number=claim.number)
    return _detail(request, claim, {"assess": form}, status=400)


@require_POST
@staff_required
def claim_decide(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    claim = _claim_or_404(user, number)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            decided = claims.claim_decide(
                claim=claim,
                by=user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                now=now(),
            )
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, f"「{decided.get_status_display()}」と決定しました。")
            return redirect("office:claim_detail", number=claim.number)
    return _detail(request, claim, {"decide": form}, status=400)


@require_POST
@staff_required
def claim_record_payment(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    claim = _claim_or_404(user, number)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            claims.claim_record_payment(claim=claim, by=user, paid_on=form.cleaned_data["paid_on"], now=now())
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, "支払を記録しました。保証契約は「保証履行済」となりました。")
            return redirect("office:claim_detail", number=claim.number)
    return _detail(request, claim, {"payment": form}, status=400)


@require_GET
@staff_required
def claim_pdf(request: HttpRequest, number: str, which: str) -> HttpResponse:
    return claim_pdf_response(_claim_or_404(staff_user(request), number), which)


@require_GET
@staff_required
def claim_document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    user = staff_user(request)
    claim = _claim_or_404(user, number)
    doc = selectors.claim_document_for(user=user, claim=claim, pk=pk)
    if doc is None:
        raise Http404("書類が見つかりません。")
    return document_download(doc)


@require_http_methods(["GET", "POST"])
@staff_required
def guarantee_completion(request: HttpRequest, number: str) -> HttpResponse:
    """完成 recorded by staff from the orderer's notice (a letter, a call confirmed in writing)."""
    user = staff_user(request)
    g = _guarantee_or_404(user, number)
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            claims.guarantee_complete(
                guarantee=g,
                by=user,
                completed_on=d["completed_on"],
                inspected_on=d["inspected_on"],
                inspection_passed=d["inspection_passed"],
                note=d.get("note") or "",
                now=now(),
            )
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, "完成を記録しました。保証契約は「完了」となりました。")
            return redirect("office:guarantee_detail", number=g.number)
    account, bal = selectors.account_balance_of(g)
    return render(
        request,
        "office/claims/completion.html",
        {
            "office_tab": "guarantees",
            "g": g,
            "form": form,
            "completable": g.status in (GuaranteeStatus.ACTIVE, GuaranteeStatus.EXPIRED),
            "completion": selectors.completion_of(g),
            "account": account,
            "balance": bal,
        },
        status=400 if form.errors else 200,
    )
