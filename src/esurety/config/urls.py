from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("esurety.accounts.urls")),
    path("contractor/", include("esurety.contractor.urls")),
    path("verify/", include("esurety.verify.urls")),
    path("office/", include("esurety.office.urls")),
    path("", include("esurety.web.urls")),
]
