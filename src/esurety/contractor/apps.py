from django.apps import AppConfig


class ContractorConfig(AppConfig):
    name = "esurety.contractor"
    label = "contractor"
    verbose_name = "受注者ポータル"
