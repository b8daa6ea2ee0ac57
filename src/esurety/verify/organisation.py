"""組織情報 → 部署と通知先: the orderer's own 管理者 changes where notices go; anyone else gets 404.

The departments are the orderer's (parties.services): once it has a 管理者, the
sureties no longer change them, and every change is mailed to the sureties
whose notices it re-routes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.parties.permissions import can_edit_orderer_departments
from esurety.parties.services import orderer_departments_update
from esurety.verify.access import orderer_required, orderer_user
from esurety.web.forms import DepartmentFormSet, department_initial, department_inputs


@require_http_methods(["GET", "POST"])
@orderer_required
def departments(request: HttpRequest) -> HttpResponse:
    user = orderer_user(request)
    orderer = user.orderer
    if orderer is None or not can_edit_orderer_departments(user, orderer):
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        formset = DepartmentFormSet(request.POST, prefix="dept")
        if formset.is_valid():
            try:
                orderer_departments_update(orderer=orderer, by=user, departments=department_inputs(formset), now=now())
            except DomainError as exc:
                errors = [v.message for v in exc.violations] or [exc.message]
            else:
                messages.success(request, "部署と通知先を保存しました。")
                return redirect("verify:organisation")
    else:
        formset = DepartmentFormSet(prefix="dept", initial=department_initial(orderer))
    return render(
        request,
        "verify/departments.html",
        {"orderer": orderer, "formset": formset, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [path("", departments, name="organisation_departments")]
