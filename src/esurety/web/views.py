from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from esurety.parties.models import SuretyCompany
from esurety.parties.selectors import AdoptionRow, electronic_adoptions_public
from esurety.web.forms import AdoptionSearchForm

ADOPTIONS_SHOWN = 100


def home(request: HttpRequest) -> HttpResponse:
    sureties = SuretyCompany.objects.order_by("name").values_list("name", flat=True)
    return render(
        request,
        "web/home.html",
        # The demo's mail never leaves the machine: its home page leads to the demo mailbox.
        {"sureties": list(sureties), "demo_mode": getattr(settings, "DEMO_MODE", False)},
    )


def faq(request: HttpRequest) -> HttpResponse:
    """よくある質問: the leaflet's Q&A, with the orderers that accept electronic certificates from the data."""
    form = AdoptionSearchForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    name = form.cleaned_data["name"] if form.is_bound and not refused else ""  # stripped by the field
    # A refused word searches nothing: the form's error says why.
    rows: list[AdoptionRow]
    rows, more = ([], False) if refused else electronic_adoptions_public(name=name, limit=ADOPTIONS_SHOWN)
    return render(
        request,
        "web/faq.html",
        {"form": form, "name": name, "rows": rows, "more": more, "shown": ADOPTIONS_SHOWN},
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the trivial baseline of the benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
