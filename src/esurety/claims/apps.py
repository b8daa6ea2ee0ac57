from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "esurety.claims"
    label = "claims"
    verbose_name = "完成・保証債務の履行請求"
