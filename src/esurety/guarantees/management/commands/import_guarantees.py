"""`manage.py import_guarantees FILE --user ID`: the bulk import from a shell, without the worker."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.models import ImportStatus
from esurety.parties.models import User


class Command(BaseCommand):
    help = "Validate a CSV of concluded guarantees and import all of it, or nothing if any line is bad."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="お客様ID of the staff member the import is recorded for")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        try:
            batch = import_batch_upload(by=user, file_name=path.name, content=path.read_bytes(), now=now())
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        done = import_batch_process(batch_id=batch.pk, now=now())
        elapsed = time.perf_counter() - started
        if done is None:
            raise CommandError(f"batch {batch.pk} is being processed by another worker")
        if done.status == ImportStatus.IMPORTED:
            self.stdout.write(f"取込済: {done.imported_count}件 ({elapsed:.1f} s, 一括取込#{done.pk})")
            return
        for error in done.errors:
            line = f"{error['line']}行目" if error["line"] else "ファイル"
            self.stdout.write(f"{line} {error['column']}: {error['message']}")
        raise CommandError(f"エラー {done.error_count}件: 何も取り込んでいません (一括取込#{done.pk})")
