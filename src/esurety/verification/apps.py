from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "esurety.verification"
    label = "verification"
    verbose_name = "発注者の確認（受領）"
