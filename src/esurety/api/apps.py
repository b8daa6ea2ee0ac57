from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "esurety.api"
    label = "api"
    verbose_name = "JSON API（システム連携）"
