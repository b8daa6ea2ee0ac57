"""保証料領収書(計算書) and 返還計算書: list, search (電子帳簿保存法) and PDF download."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from esurety.contractor.forms import StatementFilters, StatementSearchForm
from esurety.contractor.views.access import contractor_required, portal_user
from esurety.contractor.views.guarantees import PAGE_SIZE
from esurety.core.paging import page_links
from esurety.documents import pdf
from esurety.guarantees import selectors
from esurety.guarantees.models import PremiumStatement
from esurety.web.downloads import attachment


@require_GET
@contractor_required
def statement_list(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    form = StatementSearchForm(request.GET or None)
    # Unbound (first view) lists everything; a search with errors lists nothing and says why.
    filters = form.filters() if form.is_bound else StatementFilters()
    if filters is None:
        statements = PremiumStatement.objects.none()
    else:
        statements = selectors.premium_statements_for_contractor(
            user=user,
            issued_from=filters.issued_from,
            issued_to=filters.issued_to,
            amount_min=filters.amount_min,
            amount_max=filters.amount_max,
            counterparty=filters.counterparty,
            statement_type=filters.statement_type,
        )
    paginator = Paginator(statements, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    base_query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "contractor/statement_list.html",
        {"form": form, "page": page, "links": page_links(page, base_query), "has_query": bool(base_query)},
    )


@require_GET
@contractor_required
def statement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = portal_user(request)
    statement = selectors.premium_statement_for_contractor(user=user, number=number)
    if statement is None:
        raise Http404("書類が見つかりません。")
    return attachment(
        pdf.premium_statement_pdf(statement=statement),
        filename=pdf.premium_statement_filename(statement),
        fallback=f"statement_{statement.number}.pdf",
        content_type="application/pdf",
    )
