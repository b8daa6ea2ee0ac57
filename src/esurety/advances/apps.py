from django.apps import AppConfig


class AdvancesConfig(AppConfig):
    name = "esurety.advances"
    label = "advances"
    verbose_name = "前払金の管理"
