"""発注者: the orderers (shared by every surety on the portal), their adoption of electronic
delivery, departments and e-mail subject, and the invitation of their first administrator."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.accounts.services import orderer_user_invite
from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.core.kinds import WorkCategory
from esurety.core.normalize import normalize_search_text
from esurety.core.text import text_error
from esurety.core.wareki import format_wareki
from esurety.office.access import staff_required, staff_user
from esurety.office.forms import InviteForm, OrdererForm, orderer_input
from esurety.office.views.lifecycle_common import error_message, paginate
from esurety.parties.models import Orderer, User
from esurety.parties.permissions import can_manage_orderers, departments_kept_by_orderer, is_org_admin
from esurety.parties.services import orderer_create, orderer_update
from esurety.web.forms import ELECTRONIC_KIND_CHOICES, DepartmentFormSet, department_initial
from esurety.web.orderer_history import orderer_history_rows

# Orderer.name and organisation_name hold at most this many characters.
NAME_MAX = 100


@require_GET
@staff_required
def orderer_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    query = request.GET.get("q", "").strip()
    orderers = Orderer.objects.annotate(
        department_count=Count("departments", distinct=True),
        user_count=Count("users", filter=Q(users__is_active=True, users__api_token__isnull=True), distinct=True),
        adoption_count=Count("adoptions", distinct=True),
    ).order_by("name")
    if len(query) > NAME_MAX or text_error(query) is not None:
        # Longer than any name, or with a character no name may hold: nothing matches (and
        # SQLite refuses a LIKE pattern that long, PostgreSQL a NUL).
        orderers = orderers.none()
    elif query:
        # The name compares folded like every 発注者 search (ﾄｸｼﾏ finds トクシマ).
        orderers = orderers.filter(
            Q(search_name__contains=normalize_search_text(query)) | Q(organisation_name__contains=query)
        )
    listing = paginate(request, orderers, {"q": query} if query else {})
    return render(
        request,
        "office/orderer_list.html",
        {
            "office_tab": "orderers",
            "page": listing.page,
            "links": listing.links,
            "listing": listing,
            "query": query,
            "may_edit": can_manage_orderers(user),
        },
    )


def _orderer_or_404(pk: int) -> Orderer:
    orderer = Orderer.objects.filter(pk=pk).first()
    if orderer is None:
        raise Http404("発注者が見つかりません。")
    return orderer


def _edit(request: HttpRequest, orderer: Orderer | None) -> HttpResponse:
    user = staff_user(request)
    if not can_manage_orderers(user):
        messages.error(request, "発注者の登録・変更は、管理者・支店長のみ行えます。")
        if orderer is None:
            return redirect("office:orderer_list")
        return redirect("office:orderer_detail", pk=orderer.pk)
    # Once the orderer has its own 管理者, its departments are its own to change (組織情報).
    kept = orderer is not None and departments_kept_by_orderer(orderer)
    if request.method == "POST":
        form = OrdererForm(request.POST)
        departments = None if kept else DepartmentFormSet(request.POST, prefix="dept")
        if form.is_valid() and (departments is None or departments.is_valid()):
            data = orderer_input(form, departments)
            try:
                if orderer is None:
                    saved = orderer_create(by=user, data=data, now=now())
                else:
                    saved = orderer_update(orderer=orderer, by=user, data=data, now=now())
            except DomainError as exc:
                form.add_violations(exc)
            else:
                messages.success(request, f"発注者「{saved.name}」を{'登録' if orderer is None else '更新'}しました。")
                return redirect("office:orderer_detail", pk=saved.pk)
    elif orderer is None:
        form = OrdererForm()
        departments = DepartmentFormSet(prefix="dept")
    else:
        form = OrdererForm(initial=OrdererForm.initial_for(orderer))
        departments = None if kept else DepartmentFormSet(prefix="dept", initial=department_initial(orderer))
    invalid = request.method == "POST"
    return render(
        request,
        "office/orderer_form.html",
        {
            "office_tab": "orderers",
            "orderer": orderer,
            "form": form,
            "departments": departments,
            "current_departments": orderer.departments.order_by("name") if kept and orderer is not None else [],
        },
        status=400 if invalid else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def orderer_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@staff_required
def orderer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _orderer_or_404(pk))


def adoption_grid(orderer: Orderer) -> list[tuple[str, list[str]]]:
    """Category × kind, each cell the contract dates it covers (e.g. 令和8年4月1日から)."""
    adoptions = list(orderer.adoptions.order_by("effective_from"))
    rows = []
    for category in WorkCategory.values:
        cells: list[str] = []
        for kind, _ in ELECTRONIC_KIND_CHOICES:
            spans = [
                (
                    f"{format_wareki(a.effective_from, padded=False)}から"
                    + (f"{format_wareki(a.effective_until, padded=False)}まで" if a.effective_until else ""),
                )
                for a in adoptions
                if a.work_category == category and a.kind == kind
            ]
            # Each period whole on a phone (令和6年4月1日から, not 令和6年4月1 / 日から).
            cells.append(format_html_join("、", '<span class="nowrap">{}</span>', spans))
        rows.append((WorkCategory(category).label, cells))
    return rows


def _detail(request: HttpRequest, orderer: Orderer, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    user = staff_user(request)
    # People only: the orderer's API tokens (each with its system user) have their own page.
    users = list(
        User.objects.filter(orderer=orderer, api_token__isnull=True).order_by("-is_active", "role", "username")
    )
    has_admin = any(is_org_admin(u) for u in users)
    return render(
        request,
        "office/orderer.html",
        {
            "office_tab": "orderers",
            "orderer": orderer,
            "adoption_grid": adoption_grid(orderer),
            "has_adoptions": orderer.adoptions.exists(),
            "departments": orderer.departments.order_by("name"),
            "users": users,
            "has_admin": has_admin,
            "may_edit": can_manage_orderers(user),
            "invite_form": invite_form,
            # Shared with every surety and the orderer: who changed what, newest first.
            "history": orderer_history_rows(orderer),
        },
        status=status,
    )


@require_GET
@staff_required
def orderer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _orderer_or_404(pk), InviteForm())


@require_POST
@staff_required
def orderer_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    orderer = _orderer_or_404(pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail(request, orderer, form, status=400)
    try:
        invited = orderer_user_invite(
            by=user,
            orderer=orderer,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            now=now(),
        )
    except DomainError as exc:
        if exc.violations:
            form.add_violations(exc)
            return _detail(request, orderer, form, status=400)
        error_message(request, exc)
    else:
        messages.success(
            request,
            f"{invited.display_name} 様（お客様ID {invited.username}）を管理者として登録し、"
            "パスワード設定の案内を送信します。",
        )
    return redirect("office:orderer_detail", pk=orderer.pk)
