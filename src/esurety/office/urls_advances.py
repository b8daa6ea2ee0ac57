"""前払金: use statements to examine, advance accounts as audited, unusual accounts, their documents."""

from django.urls import path

from esurety.office.views import advance_accounts, advance_statements

urlpatterns = [
    path("", advance_statements.statement_queue, name="advance_queue"),
    path("statements/<int:pk>/", advance_statements.statement_detail, name="advance_statement"),
    path("statements/<int:pk>/review/", advance_statements.statement_review, name="advance_statement_review"),
    path("statements/<int:pk>/accept/", advance_statements.statement_accept, name="advance_statement_accept"),
    path("statements/<int:pk>/return/", advance_statements.statement_return, name="advance_statement_return"),
    path("statements/<int:pk>/statement.pdf", advance_statements.statement_pdf, name="advance_statement_pdf"),
    path("proofs/<int:pk>/", advance_statements.proof_download, name="advance_proof"),
    path("accounts/", advance_accounts.account_list, name="advance_accounts"),
    path("accounts/<str:number>/", advance_accounts.account_detail, name="advance_account"),
    path("accounts/<str:number>/stop/", advance_accounts.account_stop, name="advance_account_stop"),
    path("accounts/<str:number>/resume/", advance_accounts.account_resume, name="advance_account_resume"),
    path("accounts/<str:number>/close/", advance_accounts.account_close, name="advance_account_close"),
    path("withdrawals/<int:pk>/request.pdf", advance_accounts.withdrawal_pdf, name="advance_withdrawal_pdf"),
    path("unusual/", advance_accounts.unusual_list, name="advance_unusual"),
]
