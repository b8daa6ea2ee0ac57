"""保証確認サービス: number + key → the certificate; the 受領済み一覧; print, PDF and CSV.

Views are thin: verification and its limits live in verification.services,
visibility in verification.selectors; anything not received is a 404.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from esurety.accounts.ratelimit import client_ip
from esurety.core.clock import TOKYO, business_date, now
from esurety.documents import pdf
from esurety.guarantees.presentation import certificate_presentation
from esurety.parties.permissions import can_edit_orderer_departments
from esurety.verification import result_pdf, selectors, services
from esurety.verification.models import Receipt, ViewKind
from esurety.verify.access import orderer_required, orderer_user
from esurety.verify.forms import ReceiptSearchForm, VerifyForm
from esurety.web.downloads import attachment, csv_response
from esurety.web.orderer_history import orderer_history_rows
from esurety.web.versions import requested_version

PAGE_SIZE = 20
# The number just verified, so that landing on its page after the redirect records no second
# look: the verification itself was recorded (ViewKind.VERIFY). A signed cookie scoped to the
# certificate's page and bound to the user, not the session: writing the session would cost
# every verification a second database commit (cached_db writes through), and its landing a third.
_JUST_VERIFIED = "just_verified"
_LANDING_SECONDS = 60


@require_http_methods(["GET", "POST"])
@orderer_required
def verify(request: HttpRequest) -> HttpResponse:
    user = orderer_user(request)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.certificate_verify(
                user=user,
                number=form.cleaned_data["number"],
                key=form.cleaned_data["key"],
                client_ip=client_ip(request),
                now=now(),
            )
        except (services.VerificationLocked, services.VerificationRefused) as exc:
            form.add_error(None, exc.message)
        else:
            # POST → 303 → GET: the answer is the certificate's own page (受領済み一覧 → 電子証書),
            # which a reload, a bookmark or the back button reads again without re-posting
            # the key or recording a second verification. The key never enters the URL.
            url = reverse("verify:certificate", args=[receipt.guarantee.number])
            response = HttpResponseRedirect(url, status=303)
            response.set_signed_cookie(
                _JUST_VERIFIED,
                str(user.pk),
                salt=_landing_salt(url),
                max_age=_LANDING_SECONDS,
                path=url,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(request, "verify/verify.html", {"form": form})


def _landing_salt(url: str) -> str:
    return f"verify.just-verified:{url}"


def _receipt_or_404(request: HttpRequest, number: str) -> Receipt:
    receipt = selectors.receipt_for_orderer(user=orderer_user(request), number=number)
    if receipt is None:
        raise Http404("受領済みの電子証書ではありません。")
    return receipt


def _presentation_context(request: HttpRequest, receipt: Receipt) -> dict[str, object]:
    guarantee = receipt.guarantee
    view = certificate_presentation(guarantee=guarantee, version=requested_version(request))
    seen = receipt.last_seen_version
    return {
        "v": view,
        "receipt": receipt,
        "status_label": selectors.guarantee_status_label(
            guarantee, seen_version=view.certificate.version, today=business_date()
        ),
        "changed_since_seen": guarantee.current_version > seen,
        "amendments": list(guarantee.amendments.order_by("created_at")),
    }


def _landing_after_verification(request: HttpRequest, receipt: Receipt) -> bool:
    """The redirect after this user verified this certificate, within a minute, nothing changed since.

    The cookie is signed for this page's URL (the salt) and names the user; the page deletes it,
    so a reload records its look as any later one does.
    """
    user_pk = request.get_signed_cookie(
        _JUST_VERIFIED, default=None, salt=_landing_salt(request.path), max_age=_LANDING_SECONDS
    )
    return user_pk == str(request.user.pk) and receipt.last_seen_version == receipt.guarantee.current_version


@require_GET
@orderer_required
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    receipt = _receipt_or_404(request, number)
    context = _presentation_context(request, receipt)
    landing = _JUST_VERIFIED in request.COOKIES
    if request.GET.get("version") is None and not (landing and _landing_after_verification(request, receipt)):
        services.receipt_record_view(
            receipt=receipt, user=orderer_user(request), kind=ViewKind.VIEW, client_ip=client_ip(request), now=now()
        )
    response = render(request, "verify/certificate.html", context)
    if landing:
        response.delete_cookie(_JUST_VERIFIED, path=request.path, samesite="Lax")
    return response


@require_GET
@orderer_required
def certificate_print(request: HttpRequest, number: str) -> HttpResponse:
    receipt = _receipt_or_404(request, number)
    context = _presentation_context(request, receipt)
    user = orderer_user(request)
    context["viewer_label"] = f"{user.organisation_name} {user.display_name or user.get_username()}"
    context["copy_label"] = pdf.orderer_copy_label(receipt.orderer.name)
    context["viewed_at"] = now()
    return render(request, "verify/certificate_print.html", context)


@require_GET
@orderer_required
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    receipt = _receipt_or_404(request, number)
    copy = services.certificate_copy_for_viewer(
        receipt=receipt,
        user=orderer_user(request),
        version=requested_version(request),
        client_ip=client_ip(request),
        now=now(),
    )
    return attachment(copy.data, filename=copy.filename, fallback=copy.fallback, content_type="application/pdf")


@require_GET
@orderer_required
def certificate_result_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """照合結果（署名付きPDF）: the user's own latest verification of this certificate, signed by the surety."""
    receipt = _receipt_or_404(request, number)
    view = selectors.latest_view_by(receipt=receipt, user=orderer_user(request))
    if view is None:
        raise Http404("この電子証書を照合した記録がありません。")
    at = now()
    data = result_pdf.verification_result_pdf(view=view, now=at)
    return attachment(
        data,
        filename=result_pdf.verification_result_filename(view, now=at),
        fallback=f"verification_{receipt.guarantee.number}_v{view.version}.pdf",
        content_type="application/pdf",
    )


@require_GET
@orderer_required
def received(request: HttpRequest) -> HttpResponse:
    user = orderer_user(request)
    form = ReceiptSearchForm(request.GET or None)
    filters = form.filters()
    receipts = selectors.receipts_for_orderer(user=user, filters=filters)
    page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
    today = business_date()
    rows = [
        (r, selectors.guarantee_status_label(r.guarantee, seen_version=r.last_seen_version, today=today))
        for r in page.object_list
    ]
    query = filters.query_string()
    return render(
        request,
        "verify/received.html",
        {"form": form, "page": page, "rows": rows, "query": query, "csv_url": reverse("verify:received_csv")},
    )


@require_GET
@orderer_required
def received_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = orderer_user(request)
    filters = ReceiptSearchForm(request.GET or None).filters()
    receipts = selectors.receipts_for_orderer(user=user, filters=filters)
    today = business_date()
    header = [
        "保証契約番号",
        "区分",
        "状態",
        "保証契約者",
        "工事名",
        "保証金額",
        "保証期間",
        "保証事業会社",
        "初回確認日時",
    ]

    def rows() -> Iterator[list[object]]:
        for r in receipts.iterator(chunk_size=500):
            g = r.guarantee
            yield [
                g.number,
                g.get_kind_display(),
                selectors.guarantee_status_label(g, seen_version=r.last_seen_version, today=today),
                g.contractor.name,
                g.work_name,
                g.guaranteed_amount,
                g.period_end.isoformat(),
                g.surety.name,
                r.first_verified_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M"),
            ]

    return csv_response(header, rows(), filename="受領済み電子証書一覧.csv", fallback="received.csv")


@require_GET
@orderer_required
def organisation(request: HttpRequest) -> HttpResponse:
    """The orderer's own data as the sureties know it: adoption of 電子保証 and the departments notices go to."""
    user = orderer_user(request)
    orderer = user.orderer
    assert orderer is not None  # orderer_required
    return render(
        request,
        "verify/organisation.html",
        {
            "orderer": orderer,
            "adoptions": orderer.adoptions.order_by("effective_from", "work_category", "kind"),
            "departments": orderer.departments.order_by("name"),
            "may_edit_departments": can_edit_orderer_departments(user, orderer),
            "history": orderer_history_rows(orderer),
            # People only: each API token's system user is listed on the token page instead.
            "members": orderer.users.filter(is_active=True, api_token__isnull=True).order_by("username"),
        },
    )
