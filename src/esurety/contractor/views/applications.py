"""保証申込 (seed STEP 1): list, form (new / edit draft), detail with status history, submit.

Thin views: the form checks types, the services write (and check the rules
on submission), the selectors decide what this company may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from esurety.audit.actions import action_label
from esurety.contractor.forms_applications import ApplicationForm, adoption_data, form_meta
from esurety.contractor.views.access import contractor_required, portal_user
from esurety.core import clock
from esurety.core.errors import DomainError
from esurety.guarantees import selectors, services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.parties.models import Branch, Contractor, User

PAGE_SIZE = 20


def _application_or_404(user: User, pk: int) -> Application:
    app = selectors.application_for_contractor(user=user, pk=pk)
    if app is None:
        raise Http404
    return app


@contractor_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    applications = (
        selectors.applications_for_contractor(user=user)
        .annotate(guarantee_number=F("guarantee__number"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contractor/applications/list.html", {"page": page, "statuses": ApplicationStatus})


def _render_form(
    request: HttpRequest, form: ApplicationForm, app: Application | None, *, status: int = 200
) -> HttpResponse:
    action = reverse("contractor:application_edit", args=[app.pk]) if app else reverse("contractor:application_new")
    context: dict[str, Any] = {
        "form": form,
        "application": app,
        "form_action": action,
        "adoptions": adoption_data(),
        "form_meta": form_meta(),
        "delivery_refusal": form.delivery_refusal(),
    }
    return render(request, "contractor/applications/form.html", context, status=status)


def _save_and_maybe_submit(request: HttpRequest, user: User, app: Application | None) -> HttpResponse:
    form = ApplicationForm(request.POST, contractor=_contractor(user), application=app)
    if not form.is_valid():
        return _render_form(request, form, app)
    now = clock.now()
    try:
        if app is None:
            app = services.application_create(by=user, data=form.to_input(), now=now)
        else:
            app = services.application_update_draft(application=app, by=user, data=form.to_input(), now=now)
    except DomainError as error:
        # Nothing was written: show why beside the fields, with the user's input kept.
        form.add_violations(error)
        return _render_form(request, form, app)

    if "submit" not in request.POST:
        messages.success(request, "下書きを保存しました。内容を確認して「申込む」を押してください。")
        return redirect("contractor:application_detail", pk=app.pk)

    try:
        services.application_submit(application=app, by=user, now=clock.now())
    except DomainError as error:
        # The draft keeps what was typed; the rules that failed sit beside their fields.
        form.application = app
        form.add_violations(error)
        messages.error(
            request,
            "申込内容に誤りがあるため、申込できませんでした。入力内容は下書きとして保存しました。"
            "赤字の項目を修正して、もう一度「申込む」を押してください。",
        )
        return _render_form(request, form, app)
    messages.success(request, "保証申込を受け付けました。審査の状況はこの画面でご確認いただけます。")
    return redirect("contractor:application_detail", pk=app.pk)


def _contractor(user: User) -> Contractor:
    # portal_user has checked this already; repeating it keeps the type exact.
    if user.contractor is None:
        raise Http404
    return user.contractor


@contractor_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    user = portal_user(request)
    if request.method == "POST":
        return _save_and_maybe_submit(request, user, None)
    form = ApplicationForm(contractor=_contractor(user), initial=_new_initial())
    return _render_form(request, form, None)


def _new_initial() -> dict[str, Any]:
    initial: dict[str, Any] = {}
    branches = list(Branch.objects.values_list("pk", flat=True)[:2])
    if len(branches) == 1:
        # A single 取次場所 needs no choosing.
        initial["branch"] = branches[0]
    return initial


def _not_a_draft(request: HttpRequest, app: Application) -> HttpResponseBase:
    messages.error(
        request,
        f"この申込は「{app.get_status_display()}」のため、編集・申込はできません。"
        "内容の変更は、取次場所の保証会社へご連絡ください。",
    )
    return redirect("contractor:application_detail", pk=app.pk)


@contractor_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = portal_user(request)
    app = _application_or_404(user, pk)
    if app.status != ApplicationStatus.DRAFT:
        return _not_a_draft(request, app)
    if request.method == "POST":
        return _save_and_maybe_submit(request, user, app)
    form = ApplicationForm(
        contractor=_contractor(user), application=app, initial=ApplicationForm.data_from_application(app)
    )
    return _render_form(request, form, app)


@contractor_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """「申込む」 on a saved draft's detail page."""
    user = portal_user(request)
    app = _application_or_404(user, pk)
    if app.status != ApplicationStatus.DRAFT:
        return _not_a_draft(request, app)
    try:
        services.application_submit(application=app, by=user, now=clock.now())
    except DomainError as error:
        # Show the saved draft in its form with each broken rule beside its field.
        form = ApplicationForm(
            ApplicationForm.data_from_application(app), contractor=_contractor(user), application=app
        )
        form.is_valid()
        form.add_violations(error)
        messages.error(request, "申込内容に誤りがあるため、申込できませんでした。赤字の項目を修正してください。")
        return _render_form(request, form, app)
    messages.success(request, "保証申込を受け付けました。審査の状況はこの画面でご確認いただけます。")
    return redirect("contractor:application_detail", pk=app.pk)


@dataclass(frozen=True)
class HistoryRow:
    label: str
    at: Any
    actor: str


def _history(user: User, app: Application) -> list[HistoryRow]:
    rows = []
    for entry in selectors.application_history(application=app):
        actor = entry.actor
        if actor is not None and actor.contractor_id == user.contractor_id:
            who = actor.display_name or actor.get_username()
        else:
            # Staff names are the surety's business; the contractor sees who decided, not which clerk.
            who = app.surety.name
        rows.append(HistoryRow(label=action_label(entry.action), at=entry.at, actor=who))
    return rows


@contractor_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = portal_user(request)
    app = _application_or_404(user, pk)
    guarantee_number = None
    if app.status == ApplicationStatus.CONCLUDED:
        guarantee_number = Guarantee.objects.filter(application=app).values_list("number", flat=True).first()
    context: dict[str, Any] = {
        "application": app,
        "statuses": ApplicationStatus,
        "history": _history(user, app),
        "guarantee_number": guarantee_number,
        # For a draft: what 「申込む」 would refuse now, so nothing comes as a surprise.
        "pending_violations": services.application_check(app) if app.status == ApplicationStatus.DRAFT else [],
    }
    return render(request, "contractor/applications/detail.html", context)
