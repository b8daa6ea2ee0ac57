"""「Webhook設定」 of the back office: the surety's administrator (not bound to a branch) only; others 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from esurety.office.access import staff_required, staff_user
from esurety.parties.models import User
from esurety.web.webhooks import WebhookPortal, webhook_urls
from esurety.webhooks.selectors import Owner, webhook_owner_for


def surety_admin(request: HttpRequest) -> tuple[User, Owner]:
    user = staff_user(request)
    owner = webhook_owner_for(user)
    if owner is None:
        raise Http404
    return user, owner


urlpatterns = webhook_urls(
    WebhookPortal(
        namespace="office",
        template="office/webhooks.html",
        admin=surety_admin,
        guard=staff_required,
        context={"office_tab": "webhooks"},
    )
)
