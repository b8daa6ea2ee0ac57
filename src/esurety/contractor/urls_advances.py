"""前払金の使途: the account, the use statement and its versions, proofs, 払出依頼書, the payee book."""

from django.urls import path

from esurety.contractor.views import advances, withdrawals

urlpatterns = [
    path("advances/", advances.advance_list, name="advance_list"),
    path("advances/withdrawals/", withdrawals.withdrawal_list, name="advance_withdrawals"),
    path("advances/payees/", withdrawals.payee_list, name="payees"),
    path("advances/payees/<int:pk>/", withdrawals.payee_edit, name="payee_edit"),
    path("advances/payees/<int:pk>/remove/", withdrawals.payee_remove, name="payee_remove"),
    path("guarantees/<str:number>/advance/", advances.advance_home, name="advance"),
    path("guarantees/<str:number>/advance/statement/", advances.statement_edit, name="advance_statement_edit"),
    path(
        "guarantees/<str:number>/advance/statement/<int:version>/",
        advances.statement_detail,
        name="advance_statement",
    ),
    path(
        "guarantees/<str:number>/advance/statement/<int:version>/statement.pdf",
        advances.statement_pdf,
        name="advance_statement_pdf",
    ),
    path(
        "guarantees/<str:number>/advance/withdrawals/<int:pk>/request.pdf",
        withdrawals.withdrawal_pdf,
        name="advance_withdrawal_pdf",
    ),
    path("guarantees/<str:number>/advance/change/", advances.statement_change, name="advance_change"),
    path("guarantees/<str:number>/advance/proofs/", advances.proof_upload, name="advance_proof_upload"),
    path("guarantees/<str:number>/advance/proofs/<int:pk>/", advances.proof_download, name="advance_proof"),
    path("guarantees/<str:number>/advance/proofs/<int:pk>/remove/", advances.proof_remove, name="advance_proof_remove"),
    path("guarantees/<str:number>/advance/withdrawals/new/", withdrawals.withdrawal_new, name="advance_withdrawal_new"),
    path(
        "guarantees/<str:number>/advance/withdrawals/upload/",
        withdrawals.withdrawal_upload,
        name="advance_withdrawal_upload",
    ),
    path(
        "guarantees/<str:number>/advance/withdrawals/template.csv",
        withdrawals.withdrawal_template,
        name="advance_withdrawal_template",
    ),
]
