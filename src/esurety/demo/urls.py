"""Mounted by esurety.config.urls only in demo mode (ESURETY_DEMO=1)."""

from django.urls import path

from esurety.demo import views

app_name = "demo"

urlpatterns = [
    path("mail/", views.mailbox, name="mailbox"),
    path("mail/<str:mail_id>/", views.message, name="message"),
    path("mail/<str:mail_id>/html/", views.message_html, name="message_html"),
    path("mail/<str:mail_id>/attachments/<int:index>/", views.message_attachment, name="attachment"),
]
