from typing import Any

from django.core.management.base import BaseCommand

from esurety.core.clock import now
from esurety.dashboards.services import dashboard_figures_refresh


class Command(BaseCommand):
    help = "Recompute the monthly figures of the staff home (the worker also does it every hour)."

    def handle(self, *args: Any, **options: Any) -> None:
        marker = dashboard_figures_refresh(now=now())
        self.stdout.write(f"dashboards: figures from {marker.first_month} recomputed in {marker.took_ms} ms")
