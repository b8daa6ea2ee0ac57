from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "esurety.documents"
    label = "documents"
    verbose_name = "帳票"
