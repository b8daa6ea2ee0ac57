"""The orderer administrator connects its own system in Chromium: a webhook URL, then an API token.

Both secrets are shown once, on the answer page only; the pages pass axe (JIS X 8341-3 AA).
"""

from __future__ import annotations

import re
from typing import Any

from esurety.integrations.models import ApiToken
from esurety.parties.models import Role
from esurety.webhooks.models import WebhookEndpoint
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, make_user


def test_an_orderer_administrator_registers_a_webhook_and_issues_a_token(
    world: World, live_server: Any, new_page: Any
) -> None:
    admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)

    page.get_by_role("link", name="Webhook設定").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    # 発行 is not offered: an orderer hears of a guarantee only once it has verified it.
    assert page.get_by_label("発行", exact=True).count() == 0
    page.get_by_label("送信先URL").fill("https://keiyaku.example.jp/esurety/hooks")
    page.get_by_role("button", name="登録する").click()
    page.wait_for_load_state("networkidle")
    shown = page.inner_text("main")
    endpoint = WebhookEndpoint.objects.get(orderer=world.orderer)
    assert endpoint.url == "https://keiyaku.example.jp/esurety/hooks" and "issued" not in endpoint.events
    secret = re.search(r"whsec_[A-Za-z0-9_-]+", shown)
    assert secret is not None, shown
    assert_accessible(page)
    page.reload()
    assert secret.group(0) not in page.content()  # shown once

    page.goto(live_server.url + "/verify/organisation/api-tokens/")
    assert_accessible(page)
    page.get_by_label("名称（接続するシステム）").fill("電子契約システム（本番）")
    page.get_by_role("button", name="発行する").click()
    page.wait_for_load_state("networkidle")
    token = re.search(r"esk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", page.inner_text("main"))
    assert token is not None
    issued = ApiToken.objects.get(orderer=world.orderer)
    assert issued.name == "電子契約システム（本番）"
    assert_accessible(page)
    page.goto(live_server.url + "/verify/organisation/api-tokens/")
    assert token.group(0) not in page.content()
    assert not page.js_errors
