"""The home pages' figures (ホーム of the office, the contractor and the verify portal): monthly
aggregates refreshed hourly by a task, and scoped selectors of the work waiting for a user.

Layer: above verification (it counts receipts and views), below web and the portals, which show it.
"""
