"""Helpers shared by the back-office lifecycle pages: paging, branch choices, role tests, messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from esurety.audit.actions import action_label
from esurety.audit.models import AuditEntry
from esurety.core.errors import DomainError
from esurety.core.normalize import parse_ascii_int
from esurety.core.paging import PageLinks, page_links
from esurety.parties.models import Branch, User

PAGE_SIZE = 20
# A whole surety holds millions of guarantees: counting them all, or paging to the last of
# them, costs seconds. Lists count and page through the first LIST_CAP rows; beyond that
# the staff narrow the search (number, contractor, orderer, 工事名 are indexed).
LIST_CAP = 10_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    @cached_property
    def total(self) -> int:
        """Rows found, counted no further than LIST_CAP + 1 (COUNT over a LIMIT subquery)."""
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        # Without ORDER BY the LIMIT stops an index scan early instead of sorting every row first.
        return rows.order_by()[: LIST_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.total, LIST_CAP)

    @property
    def capped(self) -> bool:
        return self.total > LIST_CAP


@dataclass(frozen=True)
class Listing:
    page: Page[Any]
    links: PageLinks
    capped: bool
    cap: int = LIST_CAP


def paginate(request: HttpRequest, qs: QuerySet[Any], base_query: dict[str, Any]) -> Listing:
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return Listing(page, page_links(page, base_query), paginator.capped, LIST_CAP)


def visible_branches(user: User) -> list[Branch]:
    """The branches a staff member may filter by: their own, or every branch of the surety."""
    if user.branch_id is not None:
        return list(Branch.objects.filter(pk=user.branch_id))
    return list(Branch.objects.filter(surety_id=user.surety_id).order_by("name"))


def requested_branch(request: HttpRequest, branches: list[Branch]) -> int | None:
    # An unknown or malformed value (「²」 included) means no filter, as an empty one does.
    branch_id = parse_ascii_int(request.GET.get("branch"))
    if branch_id is not None and any(b.pk == branch_id for b in branches):
        return branch_id
    return None


def error_message(request: HttpRequest, exc: DomainError) -> None:
    """A refused action as a message on the next page (never a 500)."""
    messages.error(request, str(exc))


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    label: str
    actor: str
    detail: str


def history_rows(entries: list[AuditEntry], status_labels: dict[str, str]) -> list[HistoryRow]:
    """Audit entries as a reader of the page understands them (Japanese label, who, what it became)."""
    rows = []
    for e in entries:
        after = e.after if isinstance(e.after, dict) else {}
        details = []
        status = after.get("status")
        if isinstance(status, str) and status in status_labels:
            details.append(status_labels[status])
        version = after.get("version")
        if isinstance(version, int):
            details.append(f"第{version}版")
        reason = after.get("reason")
        if isinstance(reason, str) and reason:
            details.append(f"理由: {reason}")
        actor = (e.actor.display_name or e.actor.username) if e.actor else "システム（自動処理）"
        rows.append(HistoryRow(e.at, action_label(e.action), actor, " ／ ".join(details)))
    return rows
