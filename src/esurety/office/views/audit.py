"""監査ログ: search the surety's audit log, read each change as before → after, export CSV, verify the chain."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from esurety.audit.actions import ACTION_LABELS, action_label
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.clock import TOKYO
from esurety.core.paging import page_links
from esurety.guarantees.audit_log import audit_entries_for_staff
from esurety.office.access import staff_required, staff_user
from esurety.office.audit_words import OBJECT_LABELS, actor_text, field_label, value_text
from esurety.parties.permissions import is_surety_admin
from esurety.web.downloads import csv_response
from esurety.web.forms import BusinessDateField, TextField

PAGE_SIZE = 50


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str
    changed: bool


@dataclass(frozen=True)
class EntryView:
    entry: AuditEntry
    actor: str
    action_label: str
    object_label: str
    changes: list[Change]
    has_before: bool
    organisation: str = ""  # the actor's organisation, when it is not the reader's surety


def _organisation(entry: AuditEntry, surety_id: int | None) -> str:
    actor = entry.actor
    if actor is None or (actor.surety_id is not None and actor.surety_id == surety_id):
        return ""
    for org in (actor.surety, actor.orderer, actor.contractor):
        if org is not None:
            return org.name
    return ""


def entry_view(entry: AuditEntry, *, surety_id: int | None = None) -> EntryView:
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = list(dict.fromkeys([*before, *after]))
    row = entry.object_type
    changes = [
        Change(
            field=key,
            label=field_label(key, object_type=row),
            before=value_text(before[key], object_type=row, field=key) if key in before else "",
            after=value_text(after[key], object_type=row, field=key) if key in after else "",
            changed=bool(before) and before.get(key) != after.get(key),
        )
        for key in keys
    ]
    return EntryView(
        entry=entry,
        actor=actor_text(entry.actor_label, has_actor=entry.actor_id is not None),
        action_label=action_label(entry.action),
        object_label=OBJECT_LABELS.get(entry.object_type, entry.object_type),
        changes=changes,
        has_before=bool(before),
        organisation=_organisation(entry, surety_id) if surety_id is not None else "",
    )


DATE_INVALID = "日付を正しく入力してください（例: 2026-04-01）。"


class AuditSearchForm(forms.Form):
    # The business date range bounds the search too: 0001-01-01 or 9999-12-31 would overflow
    # the day arithmetic of the query (a form error, not a 500).
    date_from = BusinessDateField(label="期間（から）", required=False, error_messages={"invalid": DATE_INVALID})
    date_to = BusinessDateField(label="期間（まで）", required=False, error_messages={"invalid": DATE_INVALID})
    actor = TextField(label="実行者（お客様ID）", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    target = TextField(label="保証契約番号 / 対象ID", required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "すべて"), *sorted(ACTION_LABELS.items(), key=lambda kv: kv[0])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "期間（まで）は期間（から）以降の日付にしてください。")
        return data


def _search(request: HttpRequest) -> tuple[AuditSearchForm, dict[str, Any]]:
    form = AuditSearchForm(request.GET or None)
    terms: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        terms = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return form, terms


def _query(terms: dict[str, Any]) -> dict[str, str]:
    return {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in terms.items()}


@require_GET
@staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form, terms = _search(request)
    entries = audit_entries_for_staff(user=user, **terms).select_related(
        "actor", "actor__surety", "actor__orderer", "actor__contractor"
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query(terms)
    return render(
        request,
        "office/audit.html",
        {
            "form": form,
            "page": page,
            "entries": [entry_view(e, surety_id=user.surety_id) for e in page.object_list],
            "links": page_links(page, query),
            "export_query": urlencode(query),
            "can_verify": is_surety_admin(user),
            "office_tab": "audit",
        },
    )


@require_GET
@staff_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    user = staff_user(request)
    _, terms = _search(request)
    entries = audit_entries_for_staff(user=user, **terms)

    header = ["日時", "実行者", "操作", "操作コード", "対象", "対象ID", "変更前", "変更後"]

    def rows() -> Iterator[list[object]]:
        for e in entries.iterator(chunk_size=2000):
            yield [
                e.at.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M:%S"),
                e.actor_label,
                action_label(e.action),
                e.action,
                OBJECT_LABELS.get(e.object_type, e.object_type),
                e.object_id,
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
            ]

    return csv_response(header, rows(), filename="監査ログ.csv", fallback="audit-log.csv")


@require_POST
@staff_required
def audit_check(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not is_surety_admin(user):
        raise Http404
    broken = audit_verify()
    if broken is None:
        messages.success(request, "監査ログの検証: 正常です（改ざん・削除は見つかりませんでした）。")
    else:
        # The broken entry may belong to another surety: name it, show nothing of its content.
        where = f"エントリ #{broken.entry_id}" if broken.entry_id is not None else "末尾"
        messages.error(request, f"監査ログの検証: 異常があります。{where}: {broken.reason}。")
    return redirect("office:audit")
