"""「Webhook設定」 of the 保証確認サービス: the orderer's administrator only; anyone else gets 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from esurety.parties.models import User
from esurety.verify.access import orderer_required, orderer_user
from esurety.web.webhooks import WebhookPortal, webhook_urls
from esurety.webhooks.selectors import Owner, webhook_owner_for


def orderer_admin(request: HttpRequest) -> tuple[User, Owner]:
    user = orderer_user(request)
    owner = webhook_owner_for(user)
    if owner is None:
        raise Http404
    return user, owner


urlpatterns = webhook_urls(
    WebhookPortal(namespace="verify", template="verify/webhooks.html", admin=orderer_admin, guard=orderer_required)
)
