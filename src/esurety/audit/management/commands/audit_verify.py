from typing import Any

from django.core.management.base import BaseCommand, CommandError

from esurety.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and report the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit_verify()
        if broken is None:
            self.stdout.write("監査ログの連鎖は正常です。")
            return
        where = f"エントリ #{broken.entry_id}" if broken.entry_id is not None else "末尾"
        raise CommandError(f"監査ログの不整合: {where}: {broken.reason}")
