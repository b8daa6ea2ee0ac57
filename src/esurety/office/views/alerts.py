"""不正アクセス警告: an orderer user, address or number was locked after repeated wrong number/key pairs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from esurety.accounts.ratelimit import Limit
from esurety.audit.models import AuditEntry
from esurety.core.paging import page_links
from esurety.guarantees.audit_log import lockout_alerts_for_staff
from esurety.guarantees.models import Guarantee
from esurety.office.access import staff_required, staff_user
from esurety.parties.models import User
from esurety.verification.services import PER_ADDRESS, PER_NUMBER, PER_USER

PAGE_SIZE = 50


def _limit_text(label: str, limit: Limit) -> str:
    seconds = limit.window_seconds
    window = f"{seconds // 3600}時間" if seconds % 3600 == 0 else f"{max(1, seconds // 60)}分"
    return f"{label}の上限（{window}に{limit.max_attempts}回）"


# The names verification.services records, with the limits it applies.
LIMIT_LABELS = {
    "user": _limit_text("利用者ごと", PER_USER),
    "address": _limit_text("接続元アドレスごと", PER_ADDRESS),
    "number": _limit_text("保証契約番号ごと", PER_NUMBER),
}


@dataclass(frozen=True)
class Alert:
    entry: AuditEntry
    number: str
    work_name: str
    orderer_name: str
    user_label: str
    client_ip: str
    limits: list[str]


def _alert(entry: AuditEntry, works: dict[str, str]) -> Alert:
    after = entry.after if isinstance(entry.after, dict) else {}
    actor = entry.actor
    number = str(after.get("number", ""))
    name = actor.display_name if isinstance(actor, User) and actor.display_name else ""
    return Alert(
        entry=entry,
        number=number,
        work_name=works.get(number, ""),
        orderer_name=actor.orderer.name if isinstance(actor, User) and actor.orderer else "",
        user_label=f"{entry.actor_label}（{name}）" if name else entry.actor_label,
        client_ip=str(after.get("client_ip", "")),
        limits=[LIMIT_LABELS.get(str(limit), str(limit)) for limit in after.get("limits", [])],
    )


@require_GET
@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    page = Paginator(lockout_alerts_for_staff(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    numbers = {str(e.after.get("number", "")) for e in entries if isinstance(e.after, dict)}
    works = dict(
        Guarantee.objects.filter(surety_id=user.surety_id, number__in=numbers).values_list("number", "work_name")
    )
    return render(
        request,
        "office/alerts.html",
        {
            "page": page,
            "alerts": [_alert(e, works) for e in entries],
            "links": page_links(page, {}),
            "office_tab": "alerts",
        },
    )
