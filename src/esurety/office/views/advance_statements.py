"""前払金使途内訳明細書 in the back office: the queue, one version with its lines, proofs and versions,
and its steps (確認 → 承認 by another, or 差戻し with a reason).

Thin views: the selectors scope every read to the staff member's surety and branch (404
otherwise); the services check the state, the roles and four eyes (the approver is never
the one who checked the version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from esurety.advances import selectors, services
from esurety.advances.kinds import StatementStatus
from esurety.advances.models import UseStatement, UseStatementLine
from esurety.advances.rules import PROOF_REQUIREMENTS
from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.office.access import staff_required, staff_user
from esurety.office.advance_forms import StatementReturnForm
from esurety.office.views.advance_common import advance_history, statement_or_404
from esurety.office.views.lifecycle_common import error_message, paginate
from esurety.parties.models import User
from esurety.parties.permissions import can_approve, is_approver
from esurety.web import advance_documents

WAITING = (StatementStatus.SUBMITTED, StatementStatus.REVIEWED)


@dataclass(frozen=True)
class Tab:
    label: str
    count: int
    url: str
    current: bool


@require_GET
@staff_required
def statement_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    status = request.GET.get("status", "")
    if status not in WAITING:
        status = ""
    counts = dict(
        selectors.use_statement_queue_for_staff(user=user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    tabs = [Tab("すべて", sum(counts.values()), "?", status == "")] + [
        Tab(StatementStatus(s).label, counts.get(s, 0), "?" + urlencode({"status": s}), status == s) for s in WAITING
    ]
    listing = paginate(
        request, selectors.use_statement_queue_for_staff(user=user, status=status), {"status": status} if status else {}
    )
    return render(
        request,
        "office/advance_queue.html",
        {
            "office_tab": "advance_queue",
            "tabs": tabs,
            "listing": listing,
            "page": listing.page,
            "links": listing.links,
        },
    )


@dataclass(frozen=True)
class LineRow:
    line: UseStatementLine
    proofs: list[object]
    before: UseStatementLine | None  # the same line in the version this one changes
    is_new: bool  # a line the version before did not have

    @property
    def needs_proof(self) -> bool:
        """A named payee of a use the rules ask a proof for (下請, 材料); 直用労務費 or 保証料 need none."""
        return bool(PROOF_REQUIREMENTS.get(self.line.category)) and not self.line.is_undecided

    @property
    def changed(self) -> bool:
        b = self.before
        return b is not None and (
            b.amount != self.line.amount or b.payee_name != self.line.payee_name or b.category != self.line.category
        )


def _previous(statement: UseStatement, versions: list[UseStatement]) -> UseStatement | None:
    """The version a 使途変更 changes: the latest accepted (or since replaced) version before it."""
    done = (StatementStatus.ACCEPTED, StatementStatus.SUPERSEDED)
    earlier = [v for v in versions if v.version < statement.version and v.status in done]
    return max(earlier, key=lambda v: v.version) if earlier else None


def _statement_context(user: User, st: UseStatement, return_form: StatementReturnForm) -> dict[str, object]:
    account = st.account
    g = account.guarantee
    versions = list(selectors.use_statements_for(user=user, account=account))
    previous = _previous(st, versions)
    before = {line.line_no: line for line in previous.lines.all()} if previous else {}
    proofs: dict[int, list[object]] = {}
    for proof in selectors.proofs_for(statement=st):
        proofs.setdefault(proof.line_no, []).append(proof)
    lines = [
        LineRow(
            line,
            proofs.get(line.line_no, []),
            before.get(line.line_no),
            previous is not None and line.line_no not in before,
        )
        for line in st.lines.order_by("position")
    ]
    dropped = [line for no, line in sorted(before.items()) if no not in {r.line.line_no for r in lines}]
    waiting = st.status in WAITING
    return {
        "office_tab": "advance_queue",
        "st": st,
        "account": account,
        "g": g,
        "lines": lines,
        "dropped": dropped,
        "previous": previous,
        "total": sum(r.line.amount for r in lines),
        "undecided_total": sum(r.line.amount for r in lines if r.line.is_undecided),
        "versions": versions,
        "check": selectors.use_statement_check(statement=st) if waiting else None,
        "can_review": st.status == StatementStatus.SUBMITTED,
        "can_accept": st.status == StatementStatus.REVIEWED and can_approve(user, entered_by_id=st.reviewed_by_id),
        "reviewed_by_me": st.status == StatementStatus.REVIEWED and st.reviewed_by_id == user.pk,
        "is_approver": is_approver(user),
        "can_return": waiting,
        "return_form": return_form,
        "history": advance_history(account, versions),
        "statuses": StatementStatus,
    }


@require_GET
@staff_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    st = statement_or_404(user, pk)
    return render(request, "office/advance_statement.html", _statement_context(user, st, StatementReturnForm()))


def _act(request: HttpRequest, pk: int, step: Callable[[UseStatement, User], UseStatement], done: str) -> HttpResponse:
    user = staff_user(request)
    st = statement_or_404(user, pk)
    try:
        step(st, user)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("office:advance_statement", pk=st.pk)


@require_POST
@staff_required
def statement_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda st, user: services.use_statement_review(statement=st, by=user, now=now()),
        "確認済にしました。確認者以外の承認者が承認すると、保証契約者と金融機関に通知されます。",
    )


@require_POST
@staff_required
def statement_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda st, user: services.use_statement_accept(statement=st, by=user, now=now()),
        "承認しました。保証契約者と預託金融機関に通知します。この版の内訳で払出ができます。",
    )


@require_POST
@staff_required
def statement_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    st = statement_or_404(user, pk)
    form = StatementReturnForm(request.POST)
    if form.is_valid():
        try:
            services.use_statement_return(statement=st, by=user, reason=form.cleaned_data["reason"], now=now())
        except DomainError as exc:
            if any(v.field == "reason" for v in exc.violations):
                form.add_violations(exc)
            else:
                error_message(request, exc)
                return redirect("office:advance_statement", pk=st.pk)
        else:
            messages.success(request, "差し戻しました。理由は保証契約者の明細書の画面とメールで伝わります。")
            return redirect("office:advance_statement", pk=st.pk)
    return render(request, "office/advance_statement.html", _statement_context(user, st, form), status=400)


@require_GET
@staff_required
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    st = statement_or_404(staff_user(request), pk)
    return advance_documents.use_statement_pdf_response(st)


@require_GET
@staff_required
def proof_download(request: HttpRequest, pk: int) -> FileResponse:
    proof = selectors.proof_for(user=staff_user(request), pk=pk)
    if proof is None:
        raise Http404("書類が見つかりません。")
    return advance_documents.proof_response(proof)
