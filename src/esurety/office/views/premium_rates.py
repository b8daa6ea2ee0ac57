"""保証料率: the surety's rate tables by kind and effective date; 管理者 add new rates."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from esurety.core.clock import business_date, now
from esurety.core.errors import DomainError
from esurety.core.kinds import KIND_FULL_NAMES, GuaranteeKind
from esurety.guarantees.models import PremiumRate
from esurety.guarantees.services import premium_rate_create
from esurety.office.access import staff_required, staff_user
from esurety.office.forms import PremiumRateForm
from esurety.parties.permissions import can_manage_rates


@dataclass(frozen=True)
class RateRow:
    rate: PremiumRate
    state: str  # 適用中 / 予定 / 過去

    @property
    def percent(self) -> str:
        return f"{(self.rate.annual_rate * 100).normalize():f}%"


@dataclass(frozen=True)
class KindTable:
    kind: str
    label: str
    rows: list[RateRow]


def rate_tables(surety_id: int | None) -> list[KindTable]:
    today = business_date()
    rates = list(PremiumRate.objects.filter(surety_id=surety_id).order_by("kind", "-effective_from"))
    tables: list[KindTable] = []
    for kind in GuaranteeKind.values:
        mine = [r for r in rates if r.kind == kind]
        current = next((r for r in mine if r.effective_from <= today), None)
        rows = [
            RateRow(r, "適用中" if r is current else ("予定" if r.effective_from > today else "過去")) for r in mine
        ]
        tables.append(KindTable(kind, KIND_FULL_NAMES[kind], rows))
    return tables


@require_http_methods(["GET", "POST"])
@staff_required
def premium_rates(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    may_add = can_manage_rates(user)
    form = PremiumRateForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if form is None:
            messages.error(request, "保証料率の登録は管理者のみ行えます。")
            return redirect("office:premium_rates")
        if form.is_valid():
            data = form.cleaned_data
            try:
                premium_rate_create(
                    by=user,
                    kind=data["kind"],
                    effective_from=data["effective_from"],
                    annual_rate=data["annual_rate"],
                    minimum_premium=data["minimum_premium"],
                    is_sample=data["is_sample"],
                    now=now(),
                )
            except DomainError as exc:
                form.add_violations(exc)
            else:
                messages.success(
                    request, "保証料率を登録しました。契約締結日が適用開始日以降の保証の保証料に使われます。"
                )
                return redirect("office:premium_rates")
    return render(
        request,
        "office/premium_rates.html",
        {
            "office_tab": "rates",
            "tables": rate_tables(user.surety_id),
            "form": form,
            "may_add": may_add,
            "surety": user.surety,
        },
        status=400 if form is not None and form.errors else 200,
    )
