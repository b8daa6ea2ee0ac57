"""Contractor portal (e-Net保証 / 電子証書). Each area keeps its own URL list."""

from django.urls import include, path

app_name = "contractor"
urlpatterns = [
    path("", include("esurety.contractor.urls_guarantees")),
    path("", include("esurety.contractor.urls_advances")),
    path("applications/", include("esurety.contractor.urls_applications")),
    path("claims/", include("esurety.contractor.urls_claims")),
]
