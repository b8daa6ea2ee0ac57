from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from esurety.parties.models import SuretyCompany


def home(request: HttpRequest) -> HttpResponse:
    sureties = SuretyCompany.objects.order_by("name").values_list("name", flat=True)
    return render(
        request,
        "web/home.html",
        # The demo's mail never leaves the machine: its home page leads to the demo mailbox.
        {"sureties": list(sureties), "demo_mode": getattr(settings, "DEMO_MODE", False)},
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the trivial baseline of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
