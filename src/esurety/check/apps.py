from django.apps import AppConfig


class CheckConfig(AppConfig):
    name = "esurety.check"
    label = "check"
    verbose_name = "書類の真正性確認（公開）"
