"""送信メール: every message about the surety's guarantees, its state, attempts and errors; 「再送」."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.core.paging import page_links
from esurety.guarantees.outbox_log import outbox_for_staff
from esurety.notifications.models import OutboxStatus
from esurety.notifications.services import outbox_retry
from esurety.office.access import staff_required, staff_user

PAGE_SIZE = 50


@require_GET
@staff_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", "")
    if status not in OutboxStatus.values:
        status = ""
    page = Paginator(outbox_for_staff(user=user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "office/outbox.html",
        {
            "page": page,
            "links": page_links(page, {"status": status}),
            "status": status,
            "statuses": OutboxStatus.choices,
            "PENDING": OutboxStatus.PENDING,
            "FAILED": OutboxStatus.FAILED,
            "SENT": OutboxStatus.SENT,
            "office_tab": "outbox",
        },
    )


@require_POST
@staff_required
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    message = outbox_for_staff(user=user).filter(pk=pk).first()
    if message is None:
        raise Http404("メールが見つかりません。")
    try:
        outbox_retry(message=message, by=user, now=now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"「{message.subject}」を送信待ちに戻しました。まもなく再送します。")
    # Back to the list as it was filtered; only known parameters, never a URL from the form.
    back = QueryDict(request.POST.get("back", ""))
    kept = {k: back[k] for k in ("status", "page") if back.get(k, "").isalnum()}
    return redirect(reverse("office:outbox") + ("?" + urlencode(kept) if kept else ""))
