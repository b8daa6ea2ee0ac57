from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "esurety.parties"
    label = "parties"
    verbose_name = "組織・利用者"
