from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "esurety.notifications"
    label = "notifications"
    verbose_name = "通知"
