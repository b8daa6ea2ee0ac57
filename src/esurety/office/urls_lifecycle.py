"""Queue, review, conclude, guarantees, amendments, cancellation, key reissue, rates, orderers."""

from django.urls import path

from esurety.office.views import guarantees, orderers, premium_rates, queue, usage

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("applications/<int:pk>/", queue.application_detail, name="application_detail"),
    path("applications/<int:pk>/start-review/", queue.application_start_review, name="application_start_review"),
    path("applications/<int:pk>/approve/", queue.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", queue.application_reject, name="application_reject"),
    path(
        "applications/<int:pk>/confirm-payment/", queue.application_confirm_payment, name="application_confirm_payment"
    ),
    path("applications/<int:pk>/conclude/", queue.application_conclude, name="application_conclude"),
    path("guarantees/", guarantees.guarantee_list, name="guarantee_list"),
    path("guarantees/<str:number>/", guarantees.guarantee_detail, name="guarantee_detail"),
    path("guarantees/<str:number>/amend/", guarantees.guarantee_amend, name="guarantee_amend"),
    path("guarantees/<str:number>/cancel/", guarantees.guarantee_cancel, name="guarantee_cancel"),
    path("guarantees/<str:number>/reissue-key/", guarantees.access_key_reissue, name="access_key_reissue"),
    path("amendments/", guarantees.amendment_list, name="amendment_list"),
    path("amendments/<int:pk>/approve/", guarantees.amendment_approve, name="amendment_approve"),
    path("amendments/<int:pk>/reject/", guarantees.amendment_reject, name="amendment_reject"),
    path("statements/<str:number>.pdf", guarantees.statement_pdf, name="statement_pdf"),
    path("premium-rates/", premium_rates.premium_rates, name="premium_rates"),
    path("orderers/", orderers.orderer_list, name="orderer_list"),
    path("orderers/new/", orderers.orderer_new, name="orderer_new"),
    path("orderers/<int:pk>/", orderers.orderer_detail, name="orderer_detail"),
    path("orderers/<int:pk>/edit/", orderers.orderer_edit, name="orderer_edit"),
    path("orderers/<int:pk>/invite/", orderers.orderer_invite, name="orderer_invite"),
    path("usage-applications/", usage.usage_list, name="usage_list"),
    path("usage-applications/<int:pk>/approve/", usage.usage_approve, name="usage_approve"),
    path("usage-applications/<int:pk>/reject/", usage.usage_reject, name="usage_reject"),
]
