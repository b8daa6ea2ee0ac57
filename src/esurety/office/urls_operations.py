"""Bulk import, outbox, audit log, alerts and the staff's two-factor login."""

from django.urls import path

from esurety.office.views import alerts, api_tokens, audit, imports, outbox, totp

urlpatterns = [
    path("imports/", imports.import_list, name="imports"),
    path("imports/template.csv", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", imports.import_errors_csv, name="import_errors"),
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("outbox/<int:pk>/resend/", outbox.outbox_resend, name="outbox_resend"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("audit/verify/", audit.audit_check, name="audit_verify"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("totp/", totp.totp_setup, name="totp"),
    path("totp/verify/", totp.totp_verify, name="totp_verify"),
    path("totp/staff/<int:pk>/reset/", totp.totp_staff_reset, name="totp_reset"),
    path("api-tokens/", api_tokens.surety_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.token_revoke, name="api_token_revoke"),
    path("orderers/<int:pk>/api-tokens/", api_tokens.orderer_tokens, name="orderer_api_tokens"),
]
