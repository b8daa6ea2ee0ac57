from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "esurety.signing"
    label = "signing"
    verbose_name = "電子署名"

    def ready(self) -> None:
        # Registers the startup check for missing signing keys.
        from esurety.signing import checks  # noqa: F401
