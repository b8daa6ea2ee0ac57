from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "esurety.core"
    label = "core"
