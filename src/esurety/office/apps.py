from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "esurety.office"
    label = "office"
    verbose_name = "業務システム（保証会社）"
