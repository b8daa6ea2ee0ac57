import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from esurety.core.clock import business_date
from esurety.guarantees.services import guarantees_expire_due


class Command(BaseCommand):
    help = "Mark ACTIVE guarantees whose guarantee period ended before today (Tokyo) as 保証期間満了."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="business date to expire against (YYYY-MM-DD); default: today in Tokyo")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("today")
        try:
            today = dt.date.fromisoformat(raw) if raw else business_date()
        except ValueError:
            raise CommandError(f"--today must be YYYY-MM-DD, not {raw!r}") from None
        count = guarantees_expire_due(today=today)
        self.stdout.write(f"expire_guarantees: {count} guarantee(s) expired (period ended before {today.isoformat()})")
