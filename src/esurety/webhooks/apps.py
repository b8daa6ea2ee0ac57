from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "esurety.webhooks"
    label = "webhooks"
    verbose_name = "Webhook"
