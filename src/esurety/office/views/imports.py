"""一括取込: upload a CSV from the core system, see its status and the report of bad lines."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.core.paging import page_links
from esurety.guarantees import imports, rules
from esurety.guarantees.models import ImportBatch, ImportStatus
from esurety.office.access import staff_required, staff_user
from esurety.parties.models import User
from esurety.parties.permissions import can_import as may_import
from esurety.web.downloads import content_disposition, csv_response

ERRORS_PER_PAGE = 100


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSVファイル",
        error_messages={"required": "CSVファイルを選択してください。", "empty": "ファイルが空です。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _batch_or_404(user: User, pk: int) -> ImportBatch:
    batch = imports.imports_for_staff(user=user).filter(pk=pk).first()
    if batch is None:
        raise Http404("一括取込が見つかりません。")
    return batch


@require_http_methods(["GET", "POST"])
@staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    can_import = may_import(user)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and can_import and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(imports.MAX_FILE_BYTES + 1)
        try:
            batch = imports.import_batch_upload(by=user, file_name=upload.name or "", content=content, now=now())
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if imports.runs_in_request(content):
                # A small file: the report is ready when the page comes back.
                imports.import_batch_process(batch_id=batch.pk, now=now())
            else:
                messages.info(
                    request, "ファイルを受け付けました。検証と取込は順に行います（この画面は自動で更新されます）。"
                )
            return redirect("office:import_detail", pk=batch.pk)
    batches = Paginator(imports.imports_for_staff(user=user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "office/import_list.html",
        {
            "form": form,
            "can_import": can_import,
            "page": batches,
            "links": page_links(batches, {}),
            "columns": imports.COLUMNS,
            "amount_rules": rules.amount_rules_summary(),
            "sync_limit": imports.SYNC_LINE_LIMIT,
            "sync_kb": imports.SYNC_BYTE_LIMIT // 1024,
            "max_mb": imports.MAX_FILE_BYTES // 1024 // 1024,
            "VALIDATING": ImportStatus.VALIDATING,
            "office_tab": "imports",
        },
    )


@require_GET
@staff_required
def import_template(request: HttpRequest) -> HttpResponse:
    staff_user(request)
    # With a BOM, so that Excel opens the UTF-8 file with the right characters.
    response = HttpResponse(("\ufeff" + imports.template_csv()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition("一括取込の様式.csv", fallback="import-template.csv")
    return response


@require_GET
@staff_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(staff_user(request), pk)
    errors = Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "office/import_detail.html",
        {
            "batch": batch,
            "errors": errors,
            "links": page_links(errors, {}),
            "omitted": max(0, batch.error_count - len(batch.errors)),
            "bad_lines": len({e["line"] for e in batch.errors if e["line"]}),
            "running": batch.status == ImportStatus.VALIDATING,
            "IMPORTED": ImportStatus.IMPORTED,
            "REJECTED": ImportStatus.REJECTED,
            "office_tab": "imports",
        },
    )


@require_GET
@staff_required
def import_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = _batch_or_404(staff_user(request), pk)
    return csv_response(
        ["行", "項目", "エラー内容"],
        ([error["line"] or "", error["column"], error["message"]] for error in batch.errors),
        filename=f"一括取込{batch.pk}_エラー一覧.csv",
        fallback=f"import-{batch.pk}-errors.csv",
    )
