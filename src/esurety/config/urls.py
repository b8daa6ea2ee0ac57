from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("esurety.accounts.urls")),
    path("contractor/", include("esurety.contractor.urls")),
    path("", include("esurety.web.urls")),
]
