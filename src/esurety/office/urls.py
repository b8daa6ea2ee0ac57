"""Back office of the surety's staff. Each area keeps its own URL list."""

from django.urls import include, path

app_name = "office"
urlpatterns = [
    path("home/", include("esurety.office.urls_home")),
    path("", include("esurety.office.urls_lifecycle")),
    path("", include("esurety.office.urls_operations")),
    path("", include("esurety.office.urls_claims")),
    path("webhooks/", include("esurety.office.views.webhooks")),
    path("banks/", include("esurety.office.views.banks")),
    path("advances/", include("esurety.office.urls_advances")),
]
