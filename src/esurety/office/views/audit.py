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
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.core.paging import page_links
from esurety.guarantees.audit_log import audit_entries_for_staff
from esurety.guarantees.models import ApplicationStatus, GuaranteeStatus, ImportStatus
from esurety.notifications.models import OutboxStatus
from esurety.office.access import staff_required, staff_user
from esurety.parties.permissions import is_surety_admin
from esurety.web.downloads import csv_response
from esurety.web.forms import BusinessDateField, TextField

PAGE_SIZE = 50


OBJECT_LABELS: dict[str, str] = {
    "Application": "保証申込",
    "Guarantee": "保証契約",
    "Certificate": "電子証書",
    "Amendment": "変更契約",
    "AmendmentRequest": "変更申込",
    "AccessKey": "認証キー",
    "ApiToken": "APIトークン",
    "ImportBatch": "一括取込",
    "OutboxMessage": "送信メール",
    "Orderer": "発注者",
    "PremiumRate": "保証料率",
    "Receipt": "受領記録",
    "User": "利用者",
    "UsageApplication": "利用申込",
}

FIELD_LABELS: dict[str, str] = {
    "status": "状態",
    "number": "保証契約番号",
    "guarantee_number": "保証契約番号",
    "version": "版",
    "kind": "区分",
    "work_category": "業務区分",
    "work_name": "工事名",
    "contract_date": "契約締結日",
    "completion_date": "工事末日",
    "period_end": "保証期間",
    "contract_price": "請負金額(総額)",
    "contract_price_consideration": "請負金額(対価額)",
    "guaranteed_amount": "保証金額",
    "delivery_method": "受取方法",
    "electronic": "電子交付",
    "premium": "保証料",
    "payment_received_on": "入金日",
    "reason": "理由",
    "attempts": "試行回数",
    "last_error": "直近のエラー",
    "subject": "件名",
    "file_name": "ファイル名",
    "file_size": "サイズ(バイト)",
    "line_count": "データ行数",
    "imported_count": "取込件数",
    "error_count": "エラー件数",
    "import_batch": "一括取込",
    "mails": "お知らせメール",
    "limits": "制限",
    "client_ip": "接続元アドレス",
    "orderer_id": "発注者ID",
    "name": "名称",
    "organisation_name": "機関名",
    "postal_code": "郵便番号",
    "address": "所在地",
    "notice_subject_template": "認証キー送信メールの件名",
    "adoptions": "電子交付の導入範囲",
    "departments": "部署と通知先",
}

# Codes stored in the log, shown with the words of the screens.
VALUE_LABELS: dict[str, str] = {
    str(value): str(label)
    for choices in (
        ApplicationStatus,
        GuaranteeStatus,
        GuaranteeKind,
        WorkCategory,
        DeliveryMethod,
        ImportStatus,
        OutboxStatus,
    )
    for value, label in choices.choices
} | {"user": "利用者ごと", "address": "接続元アドレスごと", "number": "保証契約番号ごと"}


def _departments_text(rows: Any) -> str:
    """An orderer's departments as the screens show them: 「工事担当課 a@b（前払・中間前払）」."""
    if not isinstance(rows, list):
        return _value_text(rows)
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            return _value_text(rows)
        kinds = "・".join(VALUE_LABELS.get(k, k) for k in str(row[2]).split(",") if k)
        out.append(f"{row[0]} {row[1]}（{kinds or '受け付ける区分なし'}）")
    return " / ".join(out) or "（なし）"


def _value_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str):
        return VALUE_LABELS.get(value, value)
    if isinstance(value, list):
        return "、".join(_value_text(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


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
    text = {"departments": _departments_text}
    changes = [
        Change(
            field=key,
            label=FIELD_LABELS.get(key, key),
            before=text.get(key, _value_text)(before[key]) if key in before else "",
            after=text.get(key, _value_text)(after[key]) if key in after else "",
            changed=bool(before) and before.get(key) != after.get(key),
        )
        for key in keys
    ]
    return EntryView(
        entry=entry,
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
