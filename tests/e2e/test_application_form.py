"""保証申込 in Chromium: the page script disables 電子交付 where the orderer has not adopted it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from esurety.core.kinds import DeliveryMethod
from esurety.guarantees.models import Application, ApplicationStatus
from tests.factories import World, make_orderer


def test_electronic_delivery_follows_the_orderers_adoption(world: World, live_server: Any, new_page: Any) -> None:
    naruto = make_orderer("鳴門市長", adopt_from=None)
    client = Client()
    client.force_login(world.contractor_user)
    session = client.cookies["sessionid"].value

    page = new_page()
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page_errors = page.js_errors
    page.goto(live_server.url + "/contractor/applications/new/")

    electronic = page.get_by_label("電子交付を希望する")
    paper = page.get_by_label("書面", exact=True)
    note = page.locator("#delivery-note")
    assert electronic.is_checked() and electronic.is_enabled()

    page.get_by_label("保証事業会社・取次場所").select_option(str(world.branch.pk))
    page.get_by_label("発注者").select_option(str(world.orderer.pk))
    page.get_by_label("前払金保証", exact=True).check()
    page.get_by_label("工事", exact=True).check()
    page.get_by_label("契約締結日").fill("2026-03-31")
    # Before 令和8年4月1日 徳島市上下水道局 takes paper only.
    assert electronic.is_disabled() and paper.is_checked()
    assert "徳島市上下水道事業管理者は令和8年3月31日締結の工事の前払金保証を電子交付の対象としていません。" in (
        note.inner_text()
    )
    page.get_by_label("契約締結日").fill("2026-04-10")
    assert electronic.is_enabled() and electronic.is_checked()  # switched back: the user never chose paper

    page.get_by_label("契約保証予約（書面のみ）").check()
    assert electronic.is_disabled()
    assert "契約保証予約は電子交付の対象外です。" in note.inner_text()
    assert page.get_by_label("預託金融機関").is_hidden()

    page.get_by_label("前払金保証", exact=True).check()
    assert page.get_by_label("預託金融機関").is_visible()
    assert page.get_by_label("前払金保証の保証契約番号").is_hidden()
    page.get_by_label("発注者").select_option(str(naruto.pk))
    assert electronic.is_disabled() and paper.is_checked()
    assert "鳴門市長は令和8年4月10日締結の工事の前払金保証を電子交付の対象としていません。" in note.inner_text()

    page.get_by_label("工事名").fill("〇〇道路改良工事")
    page.get_by_label("工事末日").fill("2027-03-31")
    page.get_by_label("請負金額(総額)").fill("１００，０００，０００")
    assert "40,000,000円以下" in page.locator("#amount-hint").inner_text()
    page.get_by_label("保証金額").fill("40,000,000")
    page.get_by_label("預託金融機関").fill("〇〇銀行 ▲▲支店")
    page.get_by_role("button", name="申込む").click()
    page.wait_for_url("**/contractor/applications/*/")
    assert "保証申込を受け付けました。" in page.inner_text("main")
    assert "状態: 受付" in page.inner_text("main")

    assert page_errors == []
    app = Application.objects.get()
    assert (app.status, app.orderer, app.delivery_method) == (ApplicationStatus.SUBMITTED, naruto, DeliveryMethod.PAPER)
    assert app.contract_price == 100_000_000
