"""保証申込 (seed STEP 1): the company's applications, the form, drafts and their status."""

from django.urls import path

from esurety.contractor.views import applications as views

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_new, name="application_new"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
]
