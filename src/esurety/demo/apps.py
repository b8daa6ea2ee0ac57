from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "esurety.demo"
    label = "demo"
