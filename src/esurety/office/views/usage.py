"""利用申込: staff approve a new contractor company (the first user gets the 利用開始通知) or decline it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from esurety.accounts import services
from esurety.accounts.models import UsageApplication, UsageApplicationStatus
from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.office.access import staff_required, staff_user


def _for_staff(request: HttpRequest, pk: int) -> UsageApplication:
    user = staff_user(request)
    found = UsageApplication.objects.filter(pk=pk, surety_id=user.surety_id).first()
    if found is None:
        raise Http404("利用申込が見つかりません。")
    return found


@require_GET
@staff_required
def usage_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", UsageApplicationStatus.RECEIVED)
    if status not in UsageApplicationStatus.values:
        status = UsageApplicationStatus.RECEIVED
    rows = UsageApplication.objects.filter(surety_id=user.surety_id, status=status).order_by("-submitted_at")[:200]
    return render(
        request,
        "office/usage_list.html",
        {"rows": rows, "status": status, "statuses": UsageApplicationStatus.choices, "office_tab": "usage"},
    )


@require_POST
@staff_required
def usage_approve(request: HttpRequest, pk: int) -> HttpResponse:
    ua = _for_staff(request, pk)
    try:
        ua = services.usage_application_approve(usage_application=ua, by=staff_user(request), now=now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{ua.company_name}の利用を承認し、利用開始通知を送信しました。")
    return redirect("office:usage_list")


@require_POST
@staff_required
def usage_reject(request: HttpRequest, pk: int) -> HttpResponse:
    ua = _for_staff(request, pk)
    try:
        services.usage_application_reject(
            usage_application=ua, by=staff_user(request), reason=request.POST.get("reason", ""), now=now()
        )
    except DomainError as exc:
        messages.error(request, " ".join(v.message for v in exc.violations) or exc.message)
    else:
        messages.success(request, f"{ua.company_name}の利用申込を否決し、理由を通知しました。")
    return redirect("office:usage_list")
