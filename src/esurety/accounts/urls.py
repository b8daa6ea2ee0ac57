from django.urls import path

app_name = "accounts"
urlpatterns: list = []  # filled by the accounts work (login, logout, password reset, 利用申込)
