from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "esurety.accounts"
    label = "accounts"
    verbose_name = "ログイン・利用申込"

    def ready(self) -> None:
        from django.contrib import admin

        from esurety.accounts.forms import AdminLoginForm

        # /admin/login/ is a second door to the same accounts: give it the
        # same per-ID and per-address lockout as /login/.
        admin.site.login_form = AdminLoginForm
