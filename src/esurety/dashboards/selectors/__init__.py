"""The figures of the two home pages, scoped to who may see them.

Staff: the surety of the user; branch staff their branch only, whatever branch
they ask for (the rule of guarantees.selectors.staff_scope, which every office
page uses); head office every branch or the one it picks. The monthly figures
come from the precomputed tables (dashboards.services); the work in hand is
counted live.

Orderer: only what its organisation received (verification.selectors).

Later parts of the product (前払金の払出, 保証事故) add their own work in hand
through `register_work_items`: statements waiting, stopped accounts, open
claims. Nothing here counts them until those records exist.

The figures live in common.py, staff.py and orderer.py; this package re-exports them so that
`from esurety.dashboards import selectors` and `selectors.<name>` keep working.
"""

from esurety.dashboards.selectors.common import (
    figures_refresh_due,
    figures_refreshed_at,
    rate_percent,
)
from esurety.dashboards.selectors.orderer import (
    EXPIRY_WINDOWS,
    ChangeReceived,
    Expiring,
    OrdererActivity,
    StateCount,
    changes_this_month,
    expiring_for_orderer,
    orderer_activity,
    receipts_per_month,
    received_by_state,
)
from esurety.dashboards.selectors.staff import (
    _PROVIDERS as _PROVIDERS,  # the registry itself, for tests that add a provider and remove it
)
from esurety.dashboards.selectors.staff import (
    AGE_BUCKETS,
    MonthConclusions,
    MonthPremiums,
    OpenApplications,
    OrdererRate,
    PeriodConclusions,
    WorkItem,
    WorkItemProvider,
    electronic_rate_by_orderer,
    fiscal_year_conclusions,
    monthly_conclusions,
    monthly_premiums,
    open_applications,
    register_work_items,
    work_items,
)

__all__ = [
    "AGE_BUCKETS",
    "EXPIRY_WINDOWS",
    "ChangeReceived",
    "Expiring",
    "MonthConclusions",
    "MonthPremiums",
    "OpenApplications",
    "OrdererActivity",
    "OrdererRate",
    "PeriodConclusions",
    "StateCount",
    "WorkItem",
    "WorkItemProvider",
    "changes_this_month",
    "electronic_rate_by_orderer",
    "expiring_for_orderer",
    "figures_refresh_due",
    "figures_refreshed_at",
    "fiscal_year_conclusions",
    "monthly_conclusions",
    "monthly_premiums",
    "open_applications",
    "orderer_activity",
    "rate_percent",
    "receipts_per_month",
    "received_by_state",
    "register_work_items",
    "work_items",
]
