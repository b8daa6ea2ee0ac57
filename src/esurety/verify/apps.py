from django.apps import AppConfig


class VerifyConfig(AppConfig):
    name = "esurety.verify"
    label = "verify"
    verbose_name = "保証確認サービス（発注者）"
