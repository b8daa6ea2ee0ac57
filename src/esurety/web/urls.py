from django.urls import path

from esurety.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("faq/", views.faq, name="faq"),
    path("healthz", views.healthz, name="healthz"),
]
