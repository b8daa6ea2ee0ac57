"""The orderer's side in Chromium: the key from the contractor's notice PDF, typed in 全角, opens the certificate."""

from __future__ import annotations

import re
from typing import Any

from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role
from esurety.verification.models import Receipt, ViewKind, ViewRecord
from tests.e2e.conftest import assert_accessible, login, pdf_text
from tests.factories import PASSWORD, World, make_guarantee, make_orderer, make_user


def zenkaku(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def notice_key_from_contractor(new_page: Any, live_server: Any, world: World, g: Guarantee, tmp_path: Any) -> str:
    page = new_page()
    login(page, live_server, world.contractor_user.username, PASSWORD)
    page.goto(f"{live_server.url}/contractor/guarantees/{g.number}/key/")
    with page.expect_download() as download:
        page.get_by_role("link", name="「認証キー等のお知らせ」(PDF)をダウンロード").click()
    path = tmp_path / "notice.pdf"
    download.value.save_as(path)
    text = pdf_text(str(path))
    assert g.number in text
    match = re.search(r"認証キー\s+([0-9A-Z]{10})", text)
    assert match, text
    return match.group(1)


def test_orderer_verifies_with_the_notice_and_a_stranger_is_refused(
    world: World, live_server: Any, new_page: Any, tmp_path: Any
) -> None:
    g = make_guarantee(world)
    key = notice_key_from_contractor(new_page, live_server, world, g, tmp_path)

    page = new_page()
    page.goto(live_server.url + "/login/")
    assert_accessible(page)
    login(page, live_server, world.orderer_user.username, PASSWORD)
    assert page.url == live_server.url + "/verify/home/"
    page.get_by_role("link", name="電子証書の確認").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)

    page.get_by_label("保証契約番号").fill(zenkaku(g.number))
    page.get_by_label("認証キー").fill(zenkaku(key[:4] + "-" + key[4:]).lower())
    page.get_by_role("button", name="確認する").click()
    # The answer is the certificate's own page under 受領済み (POST → redirect → GET).
    page.wait_for_url(f"**/verify/certificates/{g.number}/")
    page.wait_for_load_state("networkidle")
    main = page.inner_text("main")
    assert "真正な電子証書" in main
    assert "保証証書 (前払金保証)" in main
    assert "株式会社〇〇建設 様" in main
    assert "40,000,000 円" in main
    assert_accessible(page)

    # F5: no "resend the form?" dialog, the same page again, no second verification.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.reload()
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert page.url == f"{live_server.url}/verify/certificates/{g.number}/"
    assert "真正な電子証書" in page.inner_text("main")
    assert ViewRecord.objects.filter(kind=ViewKind.VERIFY).count() == 1

    page.get_by_role("link", name="受領済み一覧").first.click()
    page.wait_for_url("**/verify/received/")
    assert g.number in page.inner_text("main")
    assert_accessible(page)
    assert not page.js_errors

    stranger = make_user("naruto-clerk", orderer=make_orderer("鳴門市長"), role=Role.MEMBER)
    other = new_page()
    login(other, live_server, stranger.username, PASSWORD)
    other.get_by_label("保証契約番号").fill(g.number)
    other.get_by_label("認証キー").fill(key)
    other.get_by_role("button", name="確認する").click()
    other.wait_for_load_state("networkidle")
    assert "保証契約番号または認証キーが正しくありません" in other.inner_text("main")
    assert "株式会社〇〇建設" not in other.inner_text("main")
    assert list(Receipt.objects.values_list("orderer__name", flat=True)) == [world.orderer.name]
