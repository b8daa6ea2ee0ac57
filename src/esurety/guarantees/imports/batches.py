"""一括取込: the batch's lifecycle — upload, processing by the request or the worker, the staff's list."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django_tasks import task

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.clock import now as clock_now
from esurety.core.errors import DomainError, NotPermitted
from esurety.core.tasks import enqueue_on_commit
from esurety.core.text import text_error
from esurety.guarantees.imports.columns import COLUMN_NAMES, MAX_FILE_BYTES
from esurety.guarantees.imports.validation import LineError, import_validate
from esurety.guarantees.imports.writing import ImportConflict, _summary_mails, _write
from esurety.guarantees.models import ImportBatch, ImportStatus
from esurety.parties.models import User
from esurety.parties.permissions import require_importer

# The package's name, as before the split into modules: log filters and searches keep working.
logger = logging.getLogger("esurety.guarantees.imports")

# Files up to this many lines AND bytes are processed at once in the request; larger ones by
# the worker. The size decides first: a file's line endings are whatever the core system wrote
# (CR only, a single 55 MB line), so a count of "\n" alone let such files run in the request.
SYNC_LINE_LIMIT = 1_000
SYNC_BYTE_LIMIT = 512 * 1024


@transaction.atomic
def import_batch_upload(*, by: User, file_name: str, content: bytes, now: dt.datetime) -> ImportBatch:
    """Store an uploaded CSV as a batch 「検証中」; import_batch_process does the rest."""
    if by.surety is None:
        raise NotPermitted("保証事業会社の職員のみ取り込めます。")
    require_importer(by, by.surety)
    if not content:
        raise DomainError("ファイルが空です。")
    name_error = text_error(file_name)
    if name_error is not None:
        # The name is listed on the page and in the audit log: a bidi override would disguise it.
        raise DomainError(f"ファイル名: {name_error}")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            f"ファイルが大きすぎます（{MAX_FILE_BYTES // 1024 // 1024}MBまで）。分割して取り込んでください。"
        )
    batch = ImportBatch.objects.create(
        surety=by.surety,
        uploaded_by=by,
        uploaded_at=now,
        file_name=file_name[:255],
        content=content,
        file_size=len(content),
        status=ImportStatus.VALIDATING,
    )
    audit_record(
        actor=by,
        action="import_batch.upload",
        obj=batch,
        at=now,
        after={"file_name": batch.file_name, "file_size": batch.file_size, "status": batch.status},
        surety_id=batch.surety_id,
    )
    if not runs_in_request(content):
        enqueue_on_commit(process_import_batch, batch.pk)
    return batch


def line_count(content: bytes) -> int:
    """Physical lines with universal newlines (CRLF, LF or CR alone), as the CSV reader counts them.

    Safe on Shift_JIS bytes too: CR and LF never occur inside a two-byte character.
    """
    if not content:
        return 0
    breaks = content.count(b"\n") + content.count(b"\r") - content.count(b"\r\n")
    return breaks + (0 if content.endswith((b"\n", b"\r")) else 1)


def runs_in_request(content: bytes) -> bool:
    """A file small enough to validate and import while the uploader waits for the page."""
    return len(content) <= SYNC_BYTE_LIMIT and line_count(content) <= SYNC_LINE_LIMIT + 1  # + the header


def _finish(batch: ImportBatch, *, status: str, by: User, now: dt.datetime, extra: dict[str, Any]) -> None:
    before = {"status": batch.status}
    batch.status = status
    batch.finished_at = now
    batch.save(
        update_fields=[
            "status",
            "finished_at",
            "started_at",
            "encoding",
            "line_count",
            "imported_count",
            "error_count",
            "errors",
        ]
    )
    audit_record(
        actor=by,
        action="import_batch.import" if status == ImportStatus.IMPORTED else "import_batch.reject",
        obj=batch,
        at=now,
        before=before,
        after={"status": status, "line_count": batch.line_count, **extra},
        surety_id=batch.surety_id,
    )


def import_batch_process(*, batch_id: int, now: dt.datetime) -> ImportBatch | None:
    """Validate the whole file, then import everything or nothing. None if another worker has it."""
    try:
        with transaction.atomic():
            # The row lock is held to the end: a second worker skips this batch,
            # and if this one dies the lock goes with it and the batch is retried.
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("surety", "uploaded_by", "uploaded_by__surety")
                .filter(pk=batch_id, status=ImportStatus.VALIDATING)
                .first()
            )
            if batch is None:
                return None
            by = batch.uploaded_by
            batch.started_at = now
            result = import_validate(surety=batch.surety, by=by, content=bytes(batch.content), today=business_date(now))
            batch.encoding = result.encoding
            batch.line_count = result.line_count
            if result.error_count:
                batch.error_count = result.error_count
                # In file order (type errors are found before reference errors), columns as in the header.
                order = {name: i for i, name in enumerate(COLUMN_NAMES)}
                ordered = sorted(result.errors, key=lambda e: (e.line, order.get(e.column, -1)))
                batch.errors = [e.as_dict() for e in ordered]
                _finish(batch, status=ImportStatus.REJECTED, by=by, now=now, extra={"error_count": result.error_count})
                return batch
            try:
                require_importer(by, batch.surety)
            except NotPermitted as exc:
                batch.error_count = 1
                batch.errors = [LineError(0, "", exc.message).as_dict()]
                _finish(batch, status=ImportStatus.REJECTED, by=by, now=now, extra={"error_count": 1})
                return batch
            logger.info("import batch %s: validated %s lines", batch.pk, result.line_count)
            with transaction.atomic():
                created = _write(batch=batch, rows=result.rows, by=by, now=now)
                mails = _summary_mails(batch.surety, result.rows, batch, now)
            batch.imported_count = len(created)
            _finish(
                batch,
                status=ImportStatus.IMPORTED,
                by=by,
                now=now,
                extra={"imported_count": len(created), "mails": mails},
            )
            return batch
    except (ImportConflict, IntegrityError) as exc:
        logger.warning("import batch %s: conflict while writing: %s", batch_id, exc)
        reason = "取込中に他の処理と番号などが重複しました。何も取り込んでいません。もう一度アップロードしてください。"
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        reason = "システムエラーのため取り込めませんでした。何も取り込んでいません。管理者に連絡してください。"
    return _fail(batch_id=batch_id, reason=reason, now=now)


@task()
def process_import_batch(batch_id: int) -> bool:
    """The task of a bulk import too large for the request, enqueued on commit of its upload:
    validate and import the batch; False if it was done already or another worker has it.

    Defined here, beside import_batch_upload that enqueues it, so that the import graph runs one
    way (guarantees/tasks.py imports this package, never the reverse).
    """
    return import_batch_process(batch_id=batch_id, now=clock_now()) is not None


@transaction.atomic
def _fail(*, batch_id: int, reason: str, now: dt.datetime) -> ImportBatch | None:
    batch = (
        ImportBatch.objects.select_for_update(of=("self",)).select_related("uploaded_by").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != ImportStatus.VALIDATING:
        return batch
    batch.error_count = 1
    batch.errors = [LineError(0, "", reason).as_dict()]
    _finish(batch, status=ImportStatus.REJECTED, by=batch.uploaded_by, now=now, extra={"error_count": 1})
    return batch


def import_batches_process_pending(*, now: dt.datetime, limit: int = 1) -> int:
    """For the worker: process the oldest waiting batches; returns how many were finished."""
    done = 0
    pending = list(
        ImportBatch.objects.filter(status=ImportStatus.VALIDATING)
        .order_by("uploaded_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        if import_batch_process(batch_id=pk, now=now) is not None:
            done += 1
    return done


def imports_for_staff(*, user: User) -> QuerySet[ImportBatch]:
    """The batches a staff member may see: their surety's; branch staff those of their branch's staff."""
    if user.surety_id is None:
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.filter(surety_id=user.surety_id)
    if user.branch_id is not None:
        qs = qs.filter(uploaded_by__branch_id=user.branch_id)
    return qs.defer("content").select_related("uploaded_by").order_by("-uploaded_at", "-id")
