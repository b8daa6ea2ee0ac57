"""The orderer's end of a guarantee: 「完成の届出」, 「保証債務の履行請求」, its claims and their state.

Only the beneficiary orderer that has received the certificate sees the forms; anyone else a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from esurety.claims import selectors
from esurety.claims import services as claims
from esurety.claims.kinds import DOCUMENT_STATUSES, MessageSide
from esurety.claims.models import Claim
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.verify.access import orderer_required, orderer_user
from esurety.web.claim_forms import AddDocumentsForm, ClaimForm, CompletionForm
from esurety.web.claim_pages import claim_history_lines, claim_pdf_response, document_download

PAGE_SIZE = 20


def _guarantee_or_404(request: HttpRequest, number: str) -> Guarantee:
    g = selectors.guarantee_for_beneficiary(user=orderer_user(request), number=number)
    if g is None:
        raise Http404("受領済みの電子証書ではありません。")
    return g


def _claim_or_404(request: HttpRequest, number: str) -> Claim:
    claim = selectors.claim_for_orderer(user=orderer_user(request), number=number)
    if claim is None:
        raise Http404("履行請求が見つかりません。")
    return claim


@require_http_methods(["GET", "POST"])
@orderer_required
def completion(request: HttpRequest, number: str) -> HttpResponse:
    user = orderer_user(request)
    g = _guarantee_or_404(request, number)
    form = CompletionForm(
        request.POST or None, initial={"completed_on": business_date(), "inspected_on": business_date()}
    )
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
            messages.success(request, "完成を届け出ました。保証契約は「完了」となりました。")
            return redirect("verify:certificate", number=g.number)
    account, bal = selectors.account_balance_of(g)
    return render(
        request,
        "verify/claims/completion.html",
        {
            "g": g,
            "form": form,
            "completable": g.status in (GuaranteeStatus.ACTIVE, GuaranteeStatus.EXPIRED),
            "account": account,
            "balance": bal,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@orderer_required
def claim_new(request: HttpRequest, number: str) -> HttpResponse:
    user = orderer_user(request)
    g = _guarantee_or_404(request, number)
    existing = selectors.claim_of(g)
    if existing is not None:
        messages.info(request, f"この保証契約の履行請求は受付済みです（履行請求番号 {existing.number}）。")
        return redirect("verify:claim_detail", number=existing.number)
    titles = selectors.required_documents_for(g)
    performance = g.kind == GuaranteeKind.PERFORMANCE
    form = ClaimForm(request.POST or None, request.FILES or None, titles=titles, performance=performance)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_file(guarantee=g, by=user, data=form.claim_input(), uploads=form.uploads(), now=now())
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, f"保証債務の履行請求を受け付けました（履行請求番号 {claim.number}）。")
            return redirect("verify:claim_detail", number=claim.number)
    return render(
        request,
        "verify/claims/claim_new.html",
        {"g": g, "form": form, "performance": performance, "claimable": g.status == GuaranteeStatus.ACTIVE},
        status=400 if form.errors else 200,
    )


@require_GET
@orderer_required
def claim_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.claims_for_orderer(user=orderer_user(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "verify/claims/claim_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@orderer_required
def claim_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = orderer_user(request)
    claim = _claim_or_404(request, number)
    facts = selectors.claim_facts(claim)
    form = None
    if claim.status in DOCUMENT_STATUSES:
        form = AddDocumentsForm(request.POST or None, request.FILES or None, titles=facts.missing_documents)
        if request.method == "POST" and form.is_valid():
            try:
                claims.claim_add_documents(
                    claim=claim,
                    by=user,
                    uploads=form.uploads(),
                    message=form.cleaned_data.get("message") or "",
                    now=now(),
                )
            except DomainError as exc:
                form.add_violations(exc)
            else:
                messages.success(request, "書類を追加しました。")
                return redirect("verify:claim_detail", number=claim.number)
    elif request.method == "POST":
        messages.error(request, f"この履行請求は「{claim.get_status_display()}」のため書類を追加できません。")
        return redirect("verify:claim_detail", number=claim.number)
    return render(
        request,
        "verify/claims/claim_detail.html",
        {
            "claim": claim,
            "g": claim.guarantee,
            "facts": facts,
            "form": form,
            "documents": list(selectors.documents_of(claim)),
            "messages_list": list(selectors.messages_of(claim)),
            "surety_side": MessageSide.SURETY,
            "history": claim_history_lines(claim.guarantee, show_actor=False),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@orderer_required
def claim_pdf(request: HttpRequest, number: str, which: str) -> HttpResponse:
    return claim_pdf_response(_claim_or_404(request, number), which)


@require_GET
@orderer_required
def claim_document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    claim = _claim_or_404(request, number)
    doc = selectors.claim_document_for(user=orderer_user(request), claim=claim, pk=pk)
    if doc is None:
        raise Http404("書類が見つかりません。")
    return document_download(doc)
