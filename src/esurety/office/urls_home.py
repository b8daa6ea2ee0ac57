"""ホーム: the staff's dashboard and the CSV of each of its figures."""

from django.urls import path

from esurety.office.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("<slug:key>.csv", home.home_csv, name="home_csv"),
]
