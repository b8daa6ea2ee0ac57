from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []  # bulk import, outbox, audit log, TOTP, alerts
