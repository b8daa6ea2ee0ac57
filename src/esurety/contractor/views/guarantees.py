"""保証工事一覧 (STEP 3), the certificate and its print layout, the access key (STEP 4), CSV export.

Every read goes through guarantees.selectors, which scope it to the user's
own company; anything the selector does not return is a 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from esurety.advances import selectors as advance_selectors
from esurety.contractor.forms import GuaranteeSearchForm
from esurety.contractor.views.access import contractor_required, no_store, portal_user
from esurety.core.clock import business_date, now
from esurety.core.kinds import ADVANCE_KINDS, DeliveryMethod
from esurety.core.paging import DeferredJoinPaginator, page_links
from esurety.documents import pdf
from esurety.guarantees import selectors, services
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.guarantees.presentation import CertificatePresentation, certificate_presentation
from esurety.parties.models import User
from esurety.verification.selectors import NO_SUBMISSION, notice_department_for, submission_status_for
from esurety.web.downloads import attachment, csv_response
from esurety.web.versions import requested_version

PAGE_SIZE = 20

# The same words as on the certificate copy PDF.
VIEWING_COPY_LABEL = pdf.VIEWING_COPY_LABEL


def _search(request: HttpRequest) -> tuple[GuaranteeSearchForm, str, str]:
    form = GuaranteeSearchForm(request.GET or None)
    mode, query = form.search_terms()
    return form, mode, query


def _search_params(mode: str, query: str) -> dict[str, str]:
    """The search as query parameters, for page links and the CSV link (none for the full list)."""
    if mode == selectors.SearchMode.ALL and not query:
        return {}
    return {"mode": mode, "q": query}


@require_GET
@contractor_required
def guarantee_list(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    form, mode, query = _search(request)
    guarantees = selectors.guarantees_for_contractor(user=user, mode=mode, query=query)
    # The paginator counts once; the page is one indexed query (contractor, -latest_issued_on, -number).
    paginator = DeferredJoinPaginator(guarantees, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    guarantees_on_page = list(page.object_list)
    # 送信済 / 発注者閲覧済 for the whole page: two queries, not two per row.
    statuses = submission_status_for([g.pk for g in guarantees_on_page])
    rows = [(g, statuses.get(g.pk, NO_SUBMISSION)) for g in guarantees_on_page]
    search_params = _search_params(mode, query)
    return render(
        request,
        "contractor/guarantee_list.html",
        {
            "form": form,
            "mode": mode,
            "query": query,
            "page": page,
            "rows": rows,
            "links": page_links(page, search_params),
            "export_query": urlencode(search_params),
            "ELECTRONIC": DeliveryMethod.ELECTRONIC,
        },
    )


def _guarantee_or_404(user: User, number: str) -> Guarantee:
    guarantee = selectors.guarantee_for_contractor(user=user, number=number)
    if guarantee is None:
        raise Http404("保証契約が見つかりません。")
    return guarantee


def _certificate_view(request: HttpRequest, number: str) -> CertificatePresentation:
    guarantee = _guarantee_or_404(portal_user(request), number)
    return certificate_presentation(guarantee=guarantee, version=requested_version(request))


@require_GET
@contractor_required
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    view = _certificate_view(request, number)
    submission = submission_status_for([view.guarantee.pk]).get(view.guarantee.pk, NO_SUBMISSION)
    return render(
        request,
        "contractor/certificate.html",
        {
            "v": view,
            "viewing_copy_label": VIEWING_COPY_LABEL,
            "submission": submission,
            "advance_section": _advance_section(portal_user(request), view.guarantee),
        },
    )


def _advance_section(user: User, guarantee: Guarantee) -> dict[str, object] | None:
    """「前払金の使途」 on a concluded advance guarantee: its account, or the way to register one."""
    if guarantee.kind not in ADVANCE_KINDS:
        return None
    account = advance_selectors.advance_account_for(user=user, number=guarantee.number)
    if account is None and guarantee.status != GuaranteeStatus.ACTIVE:
        return None
    return {"account": account}


@require_GET
@contractor_required
def certificate_print(request: HttpRequest, number: str) -> HttpResponse:
    view = _certificate_view(request, number)
    return render(
        request,
        "contractor/certificate_print.html",
        {"v": view, "viewing_copy_label": VIEWING_COPY_LABEL, "printed_at": now()},
    )


@require_GET
@contractor_required
def certificate_copy_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = portal_user(request)
    view = _certificate_view(request, number)
    viewer = f"{view.guarantee.contractor.name} {user.display_name or user.get_username()}"
    data = pdf.certificate_copy_pdf(certificate=view.certificate, viewer_label=viewer, viewed_at=now())
    return attachment(
        data,
        filename=pdf.certificate_copy_filename(view.certificate),
        fallback=f"certificate_copy_{view.guarantee.number}_v{view.certificate.version}.pdf",
        content_type="application/pdf",
    )


def electronic_or_404(user: User, number: str) -> Guarantee:
    guarantee = _guarantee_or_404(user, number)
    # A paper certificate has no access key and nothing to hand to an orderer online.
    if guarantee.delivery_method != DeliveryMethod.ELECTRONIC:
        raise Http404("書面交付の保証契約には認証キーがありません。")
    return guarantee


@require_GET
@contractor_required
def access_key(request: HttpRequest, number: str) -> HttpResponse:
    user = portal_user(request)
    guarantee = electronic_or_404(user, number)
    key = services.access_key_reveal(guarantee=guarantee, by=user, now=now(), purpose="view")
    context = {
        "g": guarantee,
        "key": key,
        "department": notice_department_for(guarantee=guarantee),
        "submission": submission_status_for([guarantee.pk]).get(guarantee.pk, NO_SUBMISSION),
    }
    response = render(request, "contractor/access_key.html", context)
    return no_store(response)


@require_GET
@contractor_required
def key_notice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = portal_user(request)
    guarantee = electronic_or_404(user, number)
    issued_at = now()
    key = services.access_key_reveal(guarantee=guarantee, by=user, now=issued_at, purpose="notice_pdf")
    if key is None:
        raise Http404("有効な認証キーがありません。")
    data = pdf.key_notice_pdf(guarantee=guarantee, key=key, issued_at=issued_at)
    response = attachment(
        data,
        filename=pdf.key_notice_filename(guarantee),
        fallback=f"key_notice_{guarantee.number}.pdf",
        content_type="application/pdf",
    )
    return no_store(response)


CSV_HEADER = (
    "種別",
    "証書発行日",
    "保証契約番号",
    "区分",
    "変更契約",
    "発注者",
    "工事名",
    "請負金額(総額):円",
    "請負金額(対価額):円",
    "保証金額:円",
    "状態",
)

# 種別 as the list prints it.
DELIVERY_SHORT: dict[str, str] = {DeliveryMethod.ELECTRONIC: "電子", DeliveryMethod.PAPER: "書面"}


def _csv_rows(guarantees: Iterator[Guarantee]) -> Iterator[list[object]]:
    for g in guarantees:
        yield [
            DELIVERY_SHORT.get(g.delivery_method, g.delivery_method),
            g.latest_issued_on.strftime("%Y/%m/%d") if g.latest_issued_on else "",
            g.number,
            g.get_kind_display(),
            "変更" if g.is_amended else "",
            g.orderer.name,
            g.work_name,
            g.contract_price,
            "" if g.contract_price_consideration is None else g.contract_price_consideration,
            g.guaranteed_amount,
            g.get_status_display(),
        ]


@require_GET
@contractor_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = portal_user(request)
    _, mode, query = _search(request)
    guarantees = selectors.guarantees_for_contractor(user=user, mode=mode, query=query)
    stamp = business_date().strftime("%Y%m%d")
    return csv_response(
        CSV_HEADER,
        _csv_rows(guarantees.iterator(chunk_size=2000)),
        filename=f"保証工事一覧_{stamp}.csv",
        fallback=f"guarantees_{stamp}.csv",
    )
