"""The bench server's URLconf: the product's, and one page that only the bench serves.

`/bench/signed-in-floor/` is what every signed-in portal page pays before it draws anything: the
whole middleware stack (session, user, idle timeout, CSRF token), the orderer check of the
verification portal, and a response of a few bytes. Against `/healthz` it is the ceiling any
signed-in page can reach on this server (issue 12 item 7: the form page ≥ 0.3 × `/healthz`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from esurety.config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the product's error pages)
from esurety.config.urls import urlpatterns as product_urlpatterns
from esurety.verify.access import orderer_required


@orderer_required
def signed_in_floor(request: HttpRequest) -> HttpResponse:
    get_token(request)  # as every page with a form does ({% csrf_token %})
    return HttpResponse("signed-in-floor", content_type="text/plain; charset=utf-8")


# Appended: a request for it first tries every product pattern, as the deepest product page does.
urlpatterns = [*product_urlpatterns, path("bench/signed-in-floor/", signed_in_floor)]
