"""「Webhook設定」: the same page in the orderer's portal (verify) and in the back office (office).

Each portal supplies who may enter (its administrator; everyone else gets
404) and its page chrome; forms, services and selectors are shared here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.core.paging import page_links
from esurety.parties.models import DepositBank, Orderer, User
from esurety.web.webhook_forms import EndpointForm, status_filter
from esurety.webhooks import services
from esurety.webhooks.delivery import MAX_ATTEMPTS
from esurety.webhooks.models import DeliveryStatus, WebhookEvent
from esurety.webhooks.selectors import Owner, webhook_deliveries_for, webhook_endpoints_for

PAGE_SIZE = 50

ViewFunc = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class WebhookPortal:
    namespace: str  # the portal's URL namespace ("verify", "office")
    template: str  # the portal's page; it includes web/_webhooks_settings.html
    admin: Callable[[HttpRequest], tuple[User, Owner]]  # raises Http404 for all but the administrator
    guard: Callable[[ViewFunc], ViewFunc]  # the portal's decorator: login, no-store
    context: Mapping[str, Any] = field(default_factory=dict)

    def url(self, name: str, *args: object) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)


def _render(
    request: HttpRequest,
    portal: WebhookPortal,
    owner: Owner,
    form: EndpointForm,
    created: services.CreatedEndpoint | None = None,
) -> HttpResponse:
    status = status_filter(request.GET.get("status"))
    page = Paginator(webhook_deliveries_for(owner=owner, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        portal.template,
        {
            **portal.context,
            "owner": owner,
            "is_orderer": isinstance(owner, Orderer),
            "endpoints": list(webhook_endpoints_for(owner=owner).select_related("created_by")),
            "form": form,
            "created": created,
            "page": page,
            "links": page_links(page, {"status": status}),
            "status": status,
            "statuses": DeliveryStatus.choices,
            "events": WebhookEvent.choices,
            "max_attempts": MAX_ATTEMPTS,
            "page_url": portal.url("webhooks"),
            "deactivate_url": f"{portal.namespace}:webhook_deactivate",
            "resend_url": f"{portal.namespace}:webhook_resend",
        },
    )


def settings_page(request: HttpRequest, portal: WebhookPortal) -> HttpResponse:
    user, owner = portal.admin(request)
    for_orderer = isinstance(owner, Orderer)
    for_bank = isinstance(owner, DepositBank)
    if request.method != "POST":
        return _render(request, portal, owner, EndpointForm(for_orderer=for_orderer, for_bank=for_bank))
    form = EndpointForm(request.POST, for_orderer=for_orderer, for_bank=for_bank)
    if form.is_valid():
        try:
            created = services.webhook_endpoint_create(
                owner=owner,
                by=user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                name=form.cleaned_data["name"],
                now=now(),
            )
        except DomainError as exc:
            for v in exc.violations or []:
                form.add_error(v.field if v.field in form.fields else None, v.message)
            if not exc.violations:
                form.add_error(None, exc.message)
        else:
            # Answered here, not by a redirect: the secret is shown in this one response
            # only (no-store), and never written anywhere it could be shown again.
            return _render(
                request, portal, owner, EndpointForm(for_orderer=for_orderer, for_bank=for_bank), created=created
            )
    return _render(request, portal, owner, form)


def deactivate(request: HttpRequest, pk: int, portal: WebhookPortal) -> HttpResponse:
    user, owner = portal.admin(request)
    endpoint = webhook_endpoints_for(owner=owner).filter(pk=pk).first()
    if endpoint is None:
        raise Http404("送信先が見つかりません。")
    try:
        services.webhook_endpoint_deactivate(endpoint=endpoint, by=user, now=now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"送信先 {endpoint.url} を無効にしました。以後、この送信先には送信しません。")
    return redirect(portal.url("webhooks"))


def resend(request: HttpRequest, pk: int, portal: WebhookPortal) -> HttpResponse:
    user, owner = portal.admin(request)
    delivery = webhook_deliveries_for(owner=owner).filter(pk=pk).first()
    if delivery is None:
        raise Http404("送信の記録が見つかりません。")
    try:
        services.webhook_delivery_resend(delivery=delivery, by=user, now=now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"保証契約番号 {delivery.guarantee.number} の「{delivery.get_event_type_display()}」を"
            "送信待ちに戻しました。まもなく再送します。",
        )
    # Back to the log as it was filtered; only known parameters, never a URL from the form.
    back = QueryDict(request.POST.get("back", ""))
    kept = {k: back[k] for k in ("status", "page") if back.get(k, "").isalnum()}
    return redirect(portal.url("webhooks") + ("?" + urlencode(kept) if kept else "") + "#log")


def webhook_urls(portal: WebhookPortal) -> list[URLPattern]:
    def page_view(request: HttpRequest) -> HttpResponse:
        return settings_page(request, portal)

    def deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
        return deactivate(request, pk, portal)

    def resend_view(request: HttpRequest, pk: int) -> HttpResponse:
        return resend(request, pk, portal)

    return [
        path("", portal.guard(require_http_methods(["GET", "POST"])(page_view)), name="webhooks"),
        path("<int:pk>/deactivate/", portal.guard(require_POST(deactivate_view)), name="webhook_deactivate"),
        path("deliveries/<int:pk>/resend/", portal.guard(require_POST(resend_view)), name="webhook_resend"),
    ]
