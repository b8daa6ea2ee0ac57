from django.urls import include, path

from esurety.verify import views, views_home

app_name = "verify"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("home/", views_home.home, name="home"),
    path("home/<slug:key>.csv", views_home.home_csv, name="home_csv"),
    path("received/", views.received, name="received"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/api-tokens/", include("esurety.verify.api_tokens")),
    path("organisation/departments/", include("esurety.verify.organisation")),
    path("webhooks/", include("esurety.verify.webhooks")),
    path("received.csv", views.received_csv, name="received_csv"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certificates/<str:number>/print/", views.certificate_print, name="certificate_print"),
    path("certificates/<str:number>/copy.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:number>/receipt.pdf", views.certificate_result_pdf, name="certificate_result_pdf"),
    path("", include("esurety.verify.urls_claims")),
]
