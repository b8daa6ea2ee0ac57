from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("", include("esurety.accounts.urls")),
    path("contractor/", include("esurety.contractor.urls")),
    path("verify/", include("esurety.verify.urls")),
    path("check/", include("esurety.check.urls")),
    path("office/", include("esurety.office.urls")),
    path("bank/", include("esurety.bank.urls")),
    path("api/v1/", include("esurety.api.urls")),
]
if settings.DEMO_MODE:
    # デモ用メールボックス: the demo's sent mail; never part of a real installation.
    urlpatterns.append(path("demo/", include("esurety.demo.urls")))
urlpatterns.append(path("", include("esurety.web.urls")))

# Japanese pages in the site layout; JSON under /api/ (web/errors.py).
handler400 = "esurety.web.errors.bad_request"
handler403 = "esurety.web.errors.permission_denied"
handler404 = "esurety.web.errors.page_not_found"
handler500 = "esurety.web.errors.server_error"
