from django.urls import include, path

from esurety.bank.views import accounts, integrations, users, withdrawals

app_name = "bank"
urlpatterns = [
    path("", withdrawals.withdrawal_list, name="withdrawals"),
    path("withdrawals.csv", withdrawals.withdrawal_csv, name="withdrawals_csv"),
    path("withdrawals/<int:pk>/", withdrawals.withdrawal_detail, name="withdrawal"),
    path("withdrawals/<int:pk>/pay/", withdrawals.withdrawal_pay_view, name="withdrawal_pay"),
    path("withdrawals/<int:pk>/return/", withdrawals.withdrawal_return_view, name="withdrawal_return"),
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/<str:number>/", accounts.account_detail, name="account"),
    path("accounts/<str:number>/deposits/", accounts.account_deposit, name="account_deposit"),
    path("users/", users.users, name="users"),
    path("users/<int:pk>/remove/", users.user_remove, name="user_remove"),
    path("api-tokens/", include(integrations.token_urls)),
    path("webhooks/", include(integrations.webhook_patterns)),
]
