"""保証契約: search, one guarantee with its certificate, versions, changes, receipts and statements,
and its actions (変更申請 with four eyes, 解約, 認証キー再発行).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esurety.advances import selectors as advance_selectors
from esurety.audit.models import AuditEntry
from esurety.claims.selectors import claim_entries_of
from esurety.claims.services import guarantee_cancel_with_refund
from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.core.kinds import ADVANCE_KINDS, DeliveryMethod, GuaranteeKind
from esurety.core.money import format_yen
from esurety.documents import pdf
from esurety.guarantees import rules, selectors, services
from esurety.guarantees.models import (
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Certificate,
    Guarantee,
    GuaranteeStatus,
)
from esurety.guarantees.presentation import certificate_presentation
from esurety.office.access import staff_required, staff_user
from esurety.office.forms import AmendmentRequestForm, GuaranteeSearchForm, ReasonForm
from esurety.office.views.advance_common import advance_history
from esurety.office.views.lifecycle_common import (
    error_message,
    history_rows,
    paginate,
    visible_branches,
)
from esurety.parties.models import User
from esurety.parties.permissions import can_approve, is_approver
from esurety.verification.models import ViewRecord
from esurety.web.downloads import attachment
from esurety.web.versions import requested_version


@require_GET
@staff_required
def guarantee_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    branches = visible_branches(user)
    form = GuaranteeSearchForm(request.GET or None, branches=branches)
    terms: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    guarantees = selectors.guarantee_search_for_staff(
        user=user,
        number=terms.get("number", ""),
        contractor=terms.get("contractor", ""),
        orderer=terms.get("orderer", ""),
        work_name=terms.get("work_name", ""),
        status=terms.get("status", ""),
        branch_id=terms.get("branch"),
    )
    base_query = {k: v for k, v in request.GET.items() if k != "page" and v}
    listing = paginate(request, guarantees, base_query)
    return render(
        request,
        "office/guarantee_list.html",
        {
            "office_tab": "guarantees",
            "form": form,
            "page": listing.page,
            "links": listing.links,
            "listing": listing,
            "searched": bool(base_query),
        },
    )


def _guarantee_or_404(user: User, number: str) -> Guarantee:
    guarantee = selectors.guarantee_for_staff(user=user, number=number)
    if guarantee is None:
        raise Http404("保証契約が見つかりません。")
    return guarantee


def amendment_limits(g: Guarantee) -> str:
    """The amount limit at the current price, shown beside the amendment form."""
    if g.kind not in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE):
        return ""
    return rules.amount_rule_text(
        kind=g.kind, work_category=g.work_category, low_bid=g.low_bid, price_label="変更後の請負金額(総額)"
    )


@require_GET
@staff_required
def guarantee_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    g = _guarantee_or_404(user, number)
    view = certificate_presentation(guarantee=g, version=requested_version(request))
    requests = list(g.amendment_requests.select_related("entered_by", "decided_by").order_by("-created_at", "-pk"))
    pending = next((r for r in requests if r.status == AmendmentRequestStatus.PENDING), None)
    receipts = list(
        g.receipts.select_related("orderer", "first_verified_by")
        .prefetch_related(Prefetch("views", queryset=ViewRecord.objects.select_related("user").order_by("-at")))
        .order_by("first_verified_at")
    )
    # The guarantee's own entries, its certificates' issue and its change requests.
    related = (
        Q(object_type=Guarantee.__name__, object_id=str(g.pk))
        | Q(object_type=Certificate.__name__, object_id__in=[str(c.pk) for c in view.versions])
        | Q(object_type=AmendmentRequest.__name__, object_id__in=[str(r.pk) for r in requests])
        # Its claim's steps (esurety.claims): a claim's history is the guarantee's.
        | claim_entries_of(g)
    )
    history = history_rows(
        list(AuditEntry.objects.filter(related).select_related("actor").order_by("at", "id")),
        {**dict(GuaranteeStatus.choices), **dict(AmendmentRequestStatus.choices)},
    )
    # The advance account's stop / resume / close and its statements' steps belong to this guarantee's story.
    advance_account = (
        advance_selectors.advance_account_for(user=user, number=g.number) if g.kind in ADVANCE_KINDS else None
    )
    if advance_account is not None:
        statements = list(advance_selectors.use_statements_for(user=user, account=advance_account))
        history = sorted(history + advance_history(advance_account, statements), key=lambda row: row.at)
    active = g.status == GuaranteeStatus.ACTIVE
    return render(
        request,
        "office/guarantee.html",
        {
            "office_tab": "guarantees",
            "g": g,
            "v": view,
            "amendments": list(g.amendments.select_related("created_by", "certificate").order_by("created_at")),
            "requests": requests,
            "pending": pending,
            "receipts": receipts,
            "statements": list(g.premium_statements.order_by("issued_on", "number")),
            "keys": list(g.access_keys.select_related("created_by").order_by("-created_at")),
            "history": history,
            "advance_account": advance_account,
            "can_amend": active and pending is None,
            "can_decide": pending is not None and can_approve(user, entered_by_id=pending.entered_by_id),
            "can_withdraw": pending is not None and pending.entered_by_id == user.pk,
            "can_cancel": active and is_approver(user),
            "can_reissue": active and g.delivery_method == DeliveryMethod.ELECTRONIC,
            "is_approver": is_approver(user),
            "reject_form": ReasonForm(),
            "statuses": GuaranteeStatus,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def guarantee_amend(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    g = _guarantee_or_404(user, number)
    initial = {
        "amendment_type": AmendmentType.AMOUNT,
        "contract_price": g.contract_price,
        "guaranteed_amount": g.guaranteed_amount,
        "completion_date": g.completion_date,
        "effective_on": business_date(),
    }
    form = AmendmentRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.amendment_request_create(
                guarantee=g,
                by=user,
                amendment_type=data["amendment_type"],
                contract_price=data.get("contract_price"),
                guaranteed_amount=data.get("guaranteed_amount"),
                completion_date=data.get("completion_date"),
                effective_on=data["effective_on"],
                reason=data["reason"],
                now=now(),
            )
        except DomainError as exc:
            form.add_violations(exc)
        else:
            messages.success(request, "変更申請を登録しました。入力者以外の承認者が承認すると反映されます。")
            return redirect("office:guarantee_detail", number=g.number)
    return render(
        request,
        "office/guarantee_amend.html",
        {
            "office_tab": "guarantees",
            "g": g,
            "form": form,
            "limits": amendment_limits(g),
            "current_price": format_yen(g.contract_price),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@staff_required
def amendment_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", AmendmentRequestStatus.PENDING)
    if status not in AmendmentRequestStatus.values:
        status = ""
    requests = selectors.amendment_requests_for_staff(user=user, status=status)
    listing = paginate(request, requests, {"status": status})
    tabs = [(s.value, s.label) for s in AmendmentRequestStatus] + [("", "すべて")]
    return render(
        request,
        "office/amendment_list.html",
        {
            "office_tab": "amendments",
            "page": listing.page,
            "links": listing.links,
            "listing": listing,
            "status": status,
            "tabs": tabs,
        },
    )


def _request_or_404(user: User, pk: int) -> AmendmentRequest:
    req = selectors.amendment_request_for_staff(user=user, pk=pk)
    if req is None:
        raise Http404("変更申請が見つかりません。")
    return req


@require_POST
@staff_required
def amendment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    req = _request_or_404(user, pk)
    try:
        done = services.amendment_request_approve(request=req, by=user, now=now())
    except DomainError as exc:
        error_message(request, exc)
    else:
        g = done.guarantee
        g.refresh_from_db()
        if done.amendment_type == AmendmentType.AMOUNT:
            messages.success(
                request,
                f"変更を承認しました。変更の保証証書（第{g.current_version}版・(変更)）を発行し、"
                "保証契約者と確認済みの発注者へお知らせを送信します。",
            )
        else:
            messages.success(
                request,
                "工期の変更を承認しました。保証期間を変更し、保証契約者と確認済みの発注者へお知らせを送信します。",
            )
    return redirect("office:guarantee_detail", number=req.guarantee.number)


@require_POST
@staff_required
def amendment_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    req = _request_or_404(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "却下の理由を入力してください。")
    else:
        try:
            services.amendment_request_reject(request=req, by=user, reason=form.cleaned_data["reason"], now=now())
        except DomainError as exc:
            error_message(request, exc)
        else:
            messages.success(request, "変更申請を却下しました（保証契約は変わりません）。")
    return redirect("office:guarantee_detail", number=req.guarantee.number)


@require_http_methods(["GET", "POST"])
@staff_required
def guarantee_cancel(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    g = _guarantee_or_404(user, number)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, refund = guarantee_cancel_with_refund(
                guarantee=g, by=user, reason=form.cleaned_data["reason"], now=now()
            )
        except DomainError as exc:
            error_message(request, exc)
        else:
            messages.success(request, "保証契約を解約しました。保証契約者と確認済みの発注者へお知らせを送信します。")
            if refund is not None:
                messages.info(request, f"保証料返還計算書（{refund.number}、{refund.amount:,}円）を発行しました。")
        return redirect("office:guarantee_detail", number=g.number)
    return render(
        request,
        "office/guarantee_confirm.html",
        {
            "office_tab": "guarantees",
            "g": g,
            "form": form,
            "action": "cancel",
            "title": "解約",
            "receipt_count": g.receipts.count(),
            "allowed": is_approver(user),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def access_key_reissue(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    g = _guarantee_or_404(user, number)
    if request.method == "POST":
        try:
            services.access_key_reissue(guarantee=g, by=user, now=now())
        except DomainError as exc:
            error_message(request, exc)
        else:
            messages.success(
                request,
                "認証キーを再発行しました。これまでの認証キーは使用できません。"
                "保証契約者へ再発行のお知らせを送信します（キーはメールに記載しません）。",
            )
        return redirect("office:guarantee_detail", number=g.number)
    return render(
        request,
        "office/guarantee_confirm.html",
        {
            "office_tab": "guarantees",
            "g": g,
            "action": "reissue",
            "title": "認証キーの再発行",
            "receipt_count": g.receipts.count(),
            "allowed": True,
        },
    )


@require_GET
@staff_required
def statement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    statement = selectors.premium_statement_for_staff(user=user, number=number)
    if statement is None:
        raise Http404("書類が見つかりません。")
    return attachment(
        pdf.premium_statement_pdf(statement=statement),
        filename=pdf.premium_statement_filename(statement),
        fallback=f"statement_{statement.number}.pdf",
        content_type="application/pdf",
    )
