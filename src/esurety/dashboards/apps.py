from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "esurety.dashboards"
    label = "dashboards"
    verbose_name = "ダッシュボードの集計"
