"""保証の終了: claims against the contractor's guarantees, refunds after a price cut (issue 14)."""

from django.urls import path

from esurety.contractor.views import claims

urlpatterns = [
    path("", claims.claim_list, name="claim_list"),
    path("<str:number>/", claims.claim_detail, name="claim_detail"),
]
