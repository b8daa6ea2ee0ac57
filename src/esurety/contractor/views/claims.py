"""The contractor's view of the end of its guarantees: claims filed against them and their outcome,
and the advance to return after a price cut, with its deadline."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from esurety.claims import selectors
from esurety.contractor.views.access import contractor_required, portal_user
from esurety.web.claim_pages import claim_history_lines


@require_GET
@contractor_required
def claim_list(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    return render(
        request,
        "contractor/claims/claim_list.html",
        {
            "claims": list(selectors.claims_for_contractor(user=user)[:200]),
            "refunds": selectors.price_cut_refunds_for_contractor(user=user),
        },
    )


@require_GET
@contractor_required
def claim_detail(request: HttpRequest, number: str) -> HttpResponse:
    claim = selectors.claim_for_contractor(user=portal_user(request), number=number)
    if claim is None:
        raise Http404("履行請求が見つかりません。")
    return render(
        request,
        "contractor/claims/claim_detail.html",
        {"claim": claim, "g": claim.guarantee, "history": claim_history_lines(claim.guarantee, show_actor=False)},
    )
