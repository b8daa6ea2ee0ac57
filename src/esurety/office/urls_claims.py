"""履行請求 (the claims desk) and 完成 recorded by staff (issue 14)."""

from django.urls import path

from esurety.office.views import claims

urlpatterns = [
    path("claims/", claims.claim_queue, name="claim_queue"),
    path("claims/<str:number>/", claims.claim_detail, name="claim_detail"),
    path("claims/<str:number>/request-documents/", claims.claim_request_documents, name="claim_request_documents"),
    path("claims/<str:number>/assess/", claims.claim_assess, name="claim_assess"),
    path("claims/<str:number>/decide/", claims.claim_decide, name="claim_decide"),
    path("claims/<str:number>/payment/", claims.claim_record_payment, name="claim_record_payment"),
    path("claims/<str:number>/documents/<int:pk>/", claims.claim_document, name="claim_document"),
    path("claims/<str:number>/<slug:which>.pdf", claims.claim_pdf, name="claim_pdf"),
    path("guarantees/<str:number>/completion/", claims.guarantee_completion, name="guarantee_completion"),
]
