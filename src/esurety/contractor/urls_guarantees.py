"""保証工事一覧, 電子証書, 認証キー, CSV, 保証料書類."""

from django.urls import path

from esurety.contractor.views import guarantees, statements, submission

urlpatterns = [
    path("", guarantees.guarantee_list, name="guarantee_list"),
    path("export.csv", guarantees.export_csv, name="guarantee_export_csv"),
    path("guarantees/<str:number>/", guarantees.certificate_detail, name="certificate"),
    path("guarantees/<str:number>/print/", guarantees.certificate_print, name="certificate_print"),
    path("guarantees/<str:number>/copy.pdf", guarantees.certificate_copy_pdf, name="certificate_copy_pdf"),
    path("guarantees/<str:number>/key/", guarantees.access_key, name="access_key"),
    path("guarantees/<str:number>/key/notice.pdf", guarantees.key_notice_pdf, name="key_notice_pdf"),
    path("guarantees/<str:number>/key/send/", submission.notice_dispatch, name="notice_dispatch"),
    path("statements/", statements.statement_list, name="statement_list"),
    path("statements/<str:number>.pdf", statements.statement_pdf, name="statement_pdf"),
]
