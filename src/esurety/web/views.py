from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from esurety.parties.models import SuretyCompany


def home(request: HttpRequest) -> HttpResponse:
    sureties = SuretyCompany.objects.order_by("name").values_list("name", flat=True)
    return render(request, "web/home.html", {"sureties": list(sureties)})
