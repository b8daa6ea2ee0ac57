from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "esurety.web"
    label = "web"
