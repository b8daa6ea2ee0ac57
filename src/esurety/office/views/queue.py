"""申込審査: the queue by status and branch, one application with every rule check, and its actions.

Thin views: the selectors scope every read to the staff member's surety (and
branch); the services check state, roles and four eyes. A refused action comes
back as a message on the application page, never as an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError, RuleViolation
from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.core.money import format_yen
from esurety.guarantees import rules, selectors, services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.guarantees.premiums import PremiumQuote, premium_quote
from esurety.office.access import staff_required, staff_user
from esurety.office.forms import PaymentForm, RejectForm
from esurety.office.views.lifecycle_common import (
    error_message,
    history_rows,
    paginate,
    requested_branch,
    visible_branches,
)
from esurety.parties.models import User
from esurety.parties.permissions import can_approve, is_approver

STATUS_LABELS = dict(ApplicationStatus.choices)
QUEUE_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
    ApplicationStatus.PAYMENT_CONFIRMED,
    ApplicationStatus.CONCLUDED,
    ApplicationStatus.REJECTED,
]


@dataclass(frozen=True)
class StatusTab:
    code: str
    label: str
    count: int
    url: str
    current: bool


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    branches = visible_branches(user)
    branch_id = requested_branch(request, branches)
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values or status == ApplicationStatus.DRAFT:
        status = ""
    counts = dict(
        selectors.application_queue_for_staff(user=user, branch_id=branch_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    branch_query = {"branch": branch_id} if branch_id is not None else {}

    def tab_url(code: str) -> str:
        return "?" + urlencode({**branch_query, **({"status": code} if code else {})})

    tabs = [StatusTab("", "すべて", sum(counts.values()), tab_url(""), status == "")] + [
        StatusTab(s.value, s.label, counts.get(s.value, 0), tab_url(s.value), status == s.value) for s in QUEUE_STATUSES
    ]
    applications = selectors.application_queue_for_staff(user=user, status=status, branch_id=branch_id)
    listing = paginate(request, applications, {**branch_query, **({"status": status} if status else {})})
    pending_amendments = selectors.amendment_requests_for_staff(user=user, status="PENDING").count()
    return render(
        request,
        "office/queue.html",
        {
            "office_tab": "queue",
            "tabs": tabs,
            "status": status,
            "branches": branches,
            "branch_id": branch_id,
            "page": listing.page,
            "links": listing.links,
            "listing": listing,
            "pending_amendments": pending_amendments,
        },
    )


# ---------------------------------------------------------------------------
# one application


RULE_AREAS: list[tuple[str, frozenset[str]]] = [
    ("入力内容（工事名・預託金融機関）", frozenset({"work_name", "deposit_bank"})),
    ("工期（契約締結日・工事末日）", frozenset({"completion_date", "contract_date"})),
    ("金額（請負金額・保証金額の限度）", frozenset({"contract_price", "guaranteed_amount"})),
    ("前払金保証との関係・業務区分", frozenset({"advance_guarantee", "work_category", "kind"})),
    ("電子交付の対象（発注者の導入範囲）", frozenset({"delivery_method"})),
]
OTHER_AREA = "その他"


@dataclass(frozen=True)
class RuleArea:
    label: str
    violations: list[str]
    note: str

    @property
    def ok(self) -> bool:
        return not self.violations


def amount_note(app: Application) -> str:
    """The limit the amount rule applied, so the reviewer sees the figure, not only a verdict."""
    price = app.contract_price
    if price <= 0:
        return ""
    if app.kind == GuaranteeKind.ADVANCE:
        ratio = rules.advance_ratio(work_category=app.work_category, low_bid=app.low_bid)
        limit = rules.ratio_limit(price, ratio)
        return f"前払金の限度額: 請負金額(総額)の{rules.ratio_text(ratio)}（10万円未満切捨て） = {format_yen(limit)}円"
    if app.kind == GuaranteeKind.INTERIM_ADVANCE:
        limit = rules.ratio_limit(price, rules.INTERIM_RATIO)
        total = rules.ratio_limit(price, rules.ADVANCE_PLUS_INTERIM_RATIO)
        return (
            f"中間前払金の限度額: {format_yen(limit)}円（{rules.ratio_text(rules.INTERIM_RATIO)}）／"
            f"前払金との合計の限度額: {format_yen(total)}円（{rules.ratio_text(rules.ADVANCE_PLUS_INTERIM_RATIO)}）"
        )
    if app.kind in (GuaranteeKind.PERFORMANCE, GuaranteeKind.PERFORMANCE_RESERVATION):
        minimum = rules.performance_minimum(price=price, low_bid=app.low_bid)
        share = rules.ratio_text(rules.performance_min_ratio(low_bid=app.low_bid))
        return f"契約保証の下限額: 請負金額(総額)の{share} = {format_yen(minimum)}円"
    return ""


def rule_areas(app: Application, violations: list[RuleViolation]) -> list[RuleArea]:
    out: list[RuleArea] = []
    placed: set[int] = set()
    for label, fields in RULE_AREAS:
        mine = [i for i, v in enumerate(violations) if v.field in fields]
        placed.update(mine)
        note = amount_note(app) if "guaranteed_amount" in fields else ""
        out.append(RuleArea(label, [violations[i].message for i in mine], note))
    rest = [v.message for i, v in enumerate(violations) if i not in placed]
    if rest:
        out.append(RuleArea(OTHER_AREA, rest, ""))
    return out


def _application_or_404(user: User, pk: int) -> Application:
    app = selectors.application_for_staff(user=user, pk=pk)
    if app is None:
        raise Http404("申込が見つかりません。")
    return app


def _quote(app: Application) -> tuple[PremiumQuote | None, str]:
    try:
        return (
            premium_quote(
                surety=app.surety,
                kind=app.kind,
                guaranteed_amount=app.guaranteed_amount,
                start=app.contract_date,
                end=app.completion_date,
            ),
            "",
        )
    except DomainError as exc:
        return None, exc.message


def _detail_context(
    request: HttpRequest, user: User, app: Application, *, reject_form: RejectForm, payment_form: PaymentForm
) -> dict[str, object]:
    violations = services.application_check(app)
    quote, quote_error = _quote(app)
    guarantee = getattr(app, "guarantee", None) if app.status == ApplicationStatus.CONCLUDED else None
    return {
        "office_tab": "queue",
        "app": app,
        "areas": rule_areas(app, violations),
        "violation_count": len(violations),
        "quote": quote,
        "quote_error": quote_error,
        "history": history_rows(list(selectors.application_history(application=app)), STATUS_LABELS),
        "guarantee": guarantee,
        "statuses": ApplicationStatus,
        "can_approve": can_approve(user, entered_by_id=app.created_by_id),
        "is_approver": is_approver(user),
        "reject_form": reject_form,
        "payment_form": payment_form,
    }


@require_GET
@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    app = _application_or_404(user, pk)
    context = _detail_context(
        request,
        user,
        app,
        reject_form=RejectForm(),
        payment_form=PaymentForm(initial={"received_on": business_date()}),
    )
    return render(request, "office/application.html", context)


def _act(request: HttpRequest, pk: int, step: Callable[[Application, User], Application], done: str) -> HttpResponse:
    user = staff_user(request)
    app = _application_or_404(user, pk)
    try:
        step(app, user)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("office:application_detail", pk=app.pk)


@require_POST
@staff_required
def application_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda app, user: services.application_start_review(application=app, by=user, now=now()),
        "審査を開始しました。",
    )


@require_POST
@staff_required
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda app, user: services.application_approve(application=app, by=user, now=now()),
        "承認しました。保証料が確定しました。入金を確認したら「入金確認」を行ってください。",
    )


def _concluded_message(guarantee: Guarantee) -> str:
    if guarantee.delivery_method == DeliveryMethod.ELECTRONIC:
        return (
            f"契約を締結しました。保証契約番号 {guarantee.number} の電子証書（第1版）を発行し、"
            "保証契約者へ「電子証書・認証キー登録のお知らせ」を送信します。"
        )
    # A paper guarantee has no key and no お知らせ mail: the surety hands the paper over.
    return (
        f"契約を締結しました。保証契約番号 {guarantee.number} は書面交付です。"
        "保証証書（書面）を作成し、保証契約者へ郵送または窓口でお渡しください。"
    )


@require_POST
@staff_required
def application_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    app = _application_or_404(user, pk)
    try:
        guarantee = services.application_conclude(application=app, by=user, now=now()).guarantee
    except DomainError as exc:
        error_message(request, exc)
        return redirect("office:application_detail", pk=app.pk)
    messages.success(request, _concluded_message(guarantee))
    return redirect("office:application_detail", pk=app.pk)


def _rerender(
    request: HttpRequest,
    user: User,
    app: Application,
    *,
    reject_form: RejectForm | None = None,
    payment_form: PaymentForm | None = None,
) -> HttpResponse:
    context = _detail_context(
        request,
        user,
        app,
        reject_form=reject_form or RejectForm(),
        payment_form=payment_form or PaymentForm(initial={"received_on": business_date()}),
    )
    return render(request, "office/application.html", context, status=400)


@require_POST
@staff_required
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    app = _application_or_404(user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _rerender(request, user, app, reject_form=form)
    try:
        services.application_reject(application=app, by=user, reason=form.cleaned_data["reason"], now=now())
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, "否決しました。否決理由は保証契約者の申込画面に表示されます。")
    return redirect("office:application_detail", pk=app.pk)


@require_POST
@staff_required
def application_confirm_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    app = _application_or_404(user, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _rerender(request, user, app, payment_form=form)
    try:
        services.application_confirm_payment(
            application=app, by=user, received_on=form.cleaned_data["received_on"], now=now()
        )
    except DomainError as exc:
        if any(v.field == "received_on" for v in exc.violations):
            # A 入金日 in the future: shown beside the date, as typed.
            form.add_violations(exc)
            return _rerender(request, user, app, payment_form=form)
        error_message(request, exc)
    else:
        messages.success(request, "入金を確認しました。「契約締結」で電子証書を発行できます。")
    return redirect("office:application_detail", pk=app.pk)
