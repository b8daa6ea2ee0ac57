"""完成の届出 and 保証債務の履行請求 (issue 14)."""

from django.urls import path

from esurety.verify import views_claims

urlpatterns = [
    path("certificates/<str:number>/completion/", views_claims.completion, name="completion"),
    path("certificates/<str:number>/claim/", views_claims.claim_new, name="claim_new"),
    path("claims/", views_claims.claim_list, name="claim_list"),
    path("claims/<str:number>/", views_claims.claim_detail, name="claim_detail"),
    path("claims/<str:number>/documents/<int:pk>/", views_claims.claim_document, name="claim_document"),
    path("claims/<str:number>/<slug:which>.pdf", views_claims.claim_pdf, name="claim_pdf"),
]
