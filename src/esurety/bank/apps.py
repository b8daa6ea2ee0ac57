from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "esurety.bank"
    label = "bank"
    verbose_name = "前払金払出サービス（預託金融機関）"
