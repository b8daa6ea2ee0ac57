"""The home pages' background work as a task (run by `manage.py run_worker`).

- dashboard_figures (periodic, hourly): the monthly figures of the staff home. Of several
  workers, the first recomputes and the others find the work done within the hour.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from esurety.core.clock import now
from esurety.dashboards.services import dashboard_figures_refresh

FIGURES_EVERY = dt.timedelta(minutes=55)


@task()
def dashboard_figures() -> bool:
    """Periodic: recompute the monthly figures unless another worker did within the hour."""
    at = now()
    return dashboard_figures_refresh(now=at, unless_within=FIGURES_EVERY).refreshed_at == at
