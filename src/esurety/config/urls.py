from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("esurety.accounts.urls")),
    path("contractor/", include("esurety.contractor.urls")),
    path("verify/", include("esurety.verify.urls")),
    path("check/", include("esurety.check.urls")),
    path("office/", include("esurety.office.urls")),
    path("api/v1/", include("esurety.api.urls")),
    path("", include("esurety.web.urls")),
]

# Japanese pages in the site layout; JSON under /api/ (web/errors.py).
handler400 = "esurety.web.errors.bad_request"
handler403 = "esurety.web.errors.permission_denied"
handler404 = "esurety.web.errors.page_not_found"
handler500 = "esurety.web.errors.server_error"
