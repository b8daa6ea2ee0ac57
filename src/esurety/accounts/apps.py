from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "esurety.accounts"
    label = "accounts"
    verbose_name = "ログイン・利用申込"
