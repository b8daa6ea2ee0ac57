from django.urls import path

from esurety.verify import views

app_name = "verify"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("received/", views.received, name="received"),
    path("organisation/", views.organisation, name="organisation"),
    path("received.csv", views.received_csv, name="received_csv"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certificates/<str:number>/print/", views.certificate_print, name="certificate_print"),
    path("certificates/<str:number>/copy.pdf", views.certificate_pdf, name="certificate_pdf"),
]
