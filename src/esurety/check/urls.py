from django.urls import path

from esurety.check import views

app_name = "check"
urlpatterns = [
    path("", views.check, name="check"),
]
