"""「発注者へ送信」 (issue 3, 6a): confirm the orderer's department, then mail it the key notice PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from esurety.contractor.views.access import contractor_required, no_store, portal_user
from esurety.contractor.views.guarantees import electronic_or_404
from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.documents import pdf
from esurety.guarantees.models import Guarantee
from esurety.verification import services
from esurety.verification.selectors import NO_SUBMISSION, notice_department_for, submission_status_for


def _confirm_page(request: HttpRequest, guarantee: Guarantee, *, error: str = "", status: int = 200) -> HttpResponse:
    department = notice_department_for(guarantee=guarantee)
    context = {
        "g": guarantee,
        "department": department,
        "subject": services.notice_subject(guarantee) if department is not None else "",
        "filename": pdf.key_notice_filename(guarantee),
        "has_key": guarantee.access_keys.filter(revoked_at__isnull=True).exists(),
        "submission": submission_status_for([guarantee.pk]).get(guarantee.pk, NO_SUBMISSION),
        "no_department_message": services.NO_DEPARTMENT_MESSAGE,
        "error": error,
    }
    return render(request, "contractor/notice_dispatch.html", context, status=status)


@require_http_methods(["GET", "POST"])
@contractor_required
def notice_dispatch(request: HttpRequest, number: str) -> HttpResponse:
    user = portal_user(request)
    guarantee = electronic_or_404(user, number)
    if request.method != "POST":
        return no_store(_confirm_page(request, guarantee))
    try:
        dispatch = services.notice_dispatch_send(guarantee=guarantee, by=user, now=now())
    except services.DispatchLimited as exc:
        return no_store(_confirm_page(request, guarantee, error=exc.message, status=429))
    except DomainError as exc:
        return no_store(_confirm_page(request, guarantee, error=exc.message, status=409))
    messages.success(
        request,
        f"{guarantee.orderer.name} {dispatch.department_name}（{dispatch.email}）へ"
        "「認証キー等のお知らせ」(PDF)の送信を受け付けました。送信の状況は保証工事一覧でも確認できます。",
    )
    # Post/Redirect/Get: a reload must not send the mail again.
    return HttpResponseRedirect(reverse("contractor:access_key", args=[guarantee.number]))
