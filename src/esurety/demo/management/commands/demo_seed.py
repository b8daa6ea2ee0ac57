import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from esurety.demo import reference as ref
from esurety.demo.seed import DemoSeedRefused, SeedError, SeedSummary, demo_seed
from esurety.guarantees.models import ApplicationStatus


class Command(BaseCommand):
    help = "Fill an empty database with the demonstration data (only with ESURETY_DEMO=1, as `make demo` sets)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            summary = demo_seed()
        except DemoSeedRefused as exc:
            raise CommandError(str(exc)) from exc
        except SeedError as exc:
            raise CommandError(f"デモデータを作成できませんでした（何も書き込んでいません）: {exc}") from exc
        self._report(summary, time.monotonic() - started)

    def _report(self, s: SeedSummary, seconds: float) -> None:
        w = self.stdout.write
        statuses = "、".join(
            f"{ApplicationStatus(code).label} {s.applications_by_status[code]}"
            for code in ApplicationStatus.values
            if code in s.applications_by_status
        )
        w(self.style.SUCCESS(f"デモデータを作成しました（{seconds:.1f}秒）。"))
        w(
            f"  保証事業会社 {s.sureties}社（取次場所 {s.branches}）、保証契約者 {s.contractors}社、"
            f"発注者 {s.orderers}団体"
        )
        w(
            f"  保証契約 {s.guarantees}件（電子交付 {s.electronic}、書面 {s.paper}）、電子証書 {s.certificates}版、"
            f"金額の変更 {s.amount_changes}件、工期の変更 {s.period_changes}件"
        )
        w(f"  保証申込: {statuses}")
        w("  保証料率はサンプル値です（実際の料率表は公開されていません）。")
        w("")
        w(f"  デモ用ログイン（パスワードはすべて {ref.DEMO_PASSWORD}）:")
        for login in s.logins:
            w(f"    {login.username:<18} {login.organisation} — {login.role}")
        w(f"  ほかに {len(s.other_usernames)} 件のデモ用アカウント（同じパスワード）: {', '.join(s.other_usernames)}")
