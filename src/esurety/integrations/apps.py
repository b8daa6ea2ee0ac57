from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "esurety.integrations"
    label = "integrations"
    verbose_name = "システム連携（APIトークン）"
