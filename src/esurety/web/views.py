from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from esurety.parties.models import SuretyCompany


def home(request: HttpRequest) -> HttpResponse:
    sureties = SuretyCompany.objects.order_by("name").values_list("name", flat=True)
    return render(request, "web/home.html", {"sureties": list(sureties)})


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the trivial baseline of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
