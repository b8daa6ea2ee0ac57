from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "esurety.dashboards"
    label = "dashboards"
    verbose_name = "ダッシュボードの集計"

    def ready(self) -> None:
        # The advance money's work in hand joins the staff home's list (register_work_items).
        from esurety.dashboards import advance_work  # noqa: F401
