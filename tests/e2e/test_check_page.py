"""The public check page in Chromium: an upload, and a key notice's QR code leading to the orderer's form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esurety.guarantees import services as gservices
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_orderer_verification import notice_key_from_contractor
from tests.factories import PASSWORD, World, make_guarantee


def test_uploaded_key_notice_is_confirmed(world: World, live_server: Any, new_page: Any, tmp_path: Path) -> None:
    g = make_guarantee(world)
    # Through the contractor's portal: pyHanko cannot sign in this thread, where Playwright runs an event loop.
    notice_key_from_contractor(new_page, live_server, world, g, tmp_path)
    notice = tmp_path / "notice.pdf"

    page = new_page()
    page.goto(live_server.url + "/check/")
    assert_accessible(page)
    page.get_by_label("確認するPDFファイル").set_input_files(str(notice))
    page.get_by_role("button", name="確認する", exact=True).click()
    page.wait_for_load_state("networkidle")
    result = page.inner_text(".check-result")
    assert "esurety で発行した書類そのものです" in result
    assert g.number in result and "有効" in result and "一致" in result
    assert_accessible(page)
    assert not page.js_errors


def test_qr_fragment_fills_the_orderers_form_and_leaves_the_address_bar(
    world: World, live_server: Any, new_page: Any
) -> None:
    g = make_guarantee(world)
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None

    page = new_page()
    page.goto(f"{live_server.url}/check/#n={g.number}&k={key}")
    box = page.get_by_role("region", name="この保証証書を発注者用保証確認サービスで確認する")
    box.wait_for()
    assert g.number in box.inner_text() and key in box.inner_text()
    # The key is gone from the address bar (and so from the history) once read.
    assert page.evaluate("window.location.hash") == ""
    assert page.url == live_server.url + "/check/"
    assert_accessible(page)

    box.get_by_role("button", name="保証確認サービスで確認する").click()
    page.wait_for_url("**/login/**")
    # Logging in on the page the portal sent us to (its ?next= leads back to the form).
    page.get_by_label("お客様ID").fill(world.orderer_user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + "/verify/"
    assert page.get_by_label("保証契約番号").input_value() == g.number
    assert page.get_by_label("認証キー").input_value() == key
    assert "QRコードから読み取った" in page.inner_text("main")
    # Handed over once: the tab's storage no longer holds the key.
    assert page.evaluate("window.sessionStorage.length") == 0
    page.get_by_role("button", name="確認する", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "真正な電子証書" in page.inner_text("main")
    assert not page.js_errors
