"""The seed's STEP 1 to 4 in Chromium, as 株式会社〇〇建設 walks them, up to the notice in the orderer's hands.

Log in, apply with 電子交付, (the surety concludes), find the guarantee by 工事名, read the
certificate and its print layout, download the key notice PDF and read the key out of it,
send it to the orderer; every page passes axe (JIS X 8341-3 / WCAG 2.0 AA).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.notifications.models import OutboxMessage
from esurety.verification import services as verification
from tests.e2e.conftest import assert_accessible, login, pdf_text
from tests.factories import PASSWORD, World
from tests.queue import deliver_mail
from tests.smtp import SmtpServer, smtp_server

__all__ = ["smtp_server"]

WORK_NAME = "新町川送水管布設替工事"


def conclude_as_the_surety(world: World) -> Guarantee:
    """What the surety's staff do in the office between STEP 1 and STEP 2."""
    app = Application.objects.get(work_name=WORK_NAME)
    assert app.status == ApplicationStatus.SUBMITTED
    now = timezone.now()
    app = services.application_start_review(application=app, by=world.clerk, now=now)
    app = services.application_approve(application=app, by=world.approver, now=now)
    app = services.application_confirm_payment(application=app, by=world.clerk, received_on=now.date(), now=now)
    return services.application_conclude(application=app, by=world.clerk, now=now).guarantee


def test_contractor_walks_step_1_to_4_and_sends_the_notice(
    world: World, live_server: Any, new_page: Any, tmp_path: Any, smtp_server: SmtpServer
) -> None:
    page = new_page()

    # ログイン: one ID and password for applications and e-certificates.
    page.goto(live_server.url + "/login/")
    assert_accessible(page)
    login(page, live_server, world.contractor_user.username, PASSWORD)
    assert page.url == live_server.url + "/contractor/"

    # STEP 1: 保証申込 with 「電子交付を希望する」.
    page.goto(live_server.url + "/contractor/applications/new/")
    page.get_by_label("保証事業会社・取次場所").select_option(label="西日本建設業保証株式会社 大塚支店")
    page.get_by_label("発注者").select_option(label="徳島市上下水道事業管理者")
    page.get_by_label("前払金保証", exact=True).check()
    page.get_by_label("工事", exact=True).check()
    page.get_by_label("工事名").fill(WORK_NAME)
    page.get_by_label("契約締結日").fill("2026-04-10")
    page.get_by_label("工事末日").fill("2027-03-31")
    page.get_by_label("請負金額(総額)").fill("100,000,000")
    page.get_by_label("保証金額").fill("40,000,000")
    page.get_by_label("預託金融機関").fill("〇〇銀行 ▲▲支店")
    assert page.get_by_label("電子交付を希望する").is_checked()
    page.get_by_role("button", name="申込む").click()
    page.wait_for_url("**/contractor/applications/*/")
    assert "保証申込を受け付けました。" in page.inner_text("main")

    g = conclude_as_the_surety(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None

    # STEP 3: 保証工事一覧, found by 工事名.
    page.get_by_role("link", name="保証工事一覧").first.click()
    page.wait_for_url(live_server.url + "/contractor/")
    page.get_by_label("工事名", exact=True).check()
    page.get_by_label("検索語").fill("送水管")
    page.get_by_role("button", name="検索").click()
    page.wait_for_url("**/contractor/?mode=work_name*")
    assert "1件中 1 - 1件" in page.inner_text("main")
    assert_accessible(page)

    page.get_by_role("link", name=g.number, exact=True).click()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/")
    certificate = page.inner_text("main")
    assert "保証証書 (前払金保証)" in certificate
    assert "株式会社〇〇建設 様" in certificate
    assert "40,000,000 円" in certificate
    assert WORK_NAME in certificate
    assert_accessible(page)

    page.get_by_role("link", name="印刷画面へ").click()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/print/")
    assert "閲覧用控え（提出不可）" in page.inner_text("body")
    assert_accessible(page)
    page.go_back()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/")

    # STEP 4: 認証キー 「表示」 from the list, and the notice PDF.
    page.get_by_role("link", name="保証工事一覧").first.click()
    page.wait_for_url(live_server.url + "/contractor/")
    page.get_by_role("link", name=f"{g.number} の認証キーを表示").click()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/key/")
    assert key in page.inner_text("main")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="「認証キー等のお知らせ」(PDF)をダウンロード").click()
    assert download.value.suggested_filename == f"認証キー等のお知らせ_{g.number}.pdf"
    path = tmp_path / "notice.pdf"
    download.value.save_as(path)
    text = pdf_text(str(path))
    assert "電子証書閲覧用「認証キー」等のお知らせ" in text
    match = re.search(r"認証キー\s+([0-9A-Z]{10})", text)
    assert match, text
    assert match.group(1) == key

    # 「発注者へ送信」: confirm the department, then send.
    page.get_by_role("link", name="発注者へ送信").click()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/key/send/")
    confirm = page.inner_text("main")
    assert "工事担当課" in confirm
    assert f"koji-{world.orderer.pk}@orderer.example" in confirm
    assert key not in confirm
    assert_accessible(page)
    page.get_by_role("button", name="送信する").click()
    page.wait_for_url(f"**/contractor/guarantees/{g.number}/key/")
    assert "工事担当課" in page.inner_text("main")
    assert "送信を受け付けました" in page.inner_text("main")
    assert OutboxMessage.objects.get(template="notice_dispatch").to == [f"koji-{world.orderer.pk}@orderer.example"]

    # The worker mails it; the orderer opens it with the key from the PDF.
    deliver_mail(now=timezone.now())
    assert [m.rcpt_tos for m in smtp_server.messages if m.rcpt_tos[0].startswith("koji-")] == [
        [f"koji-{world.orderer.pk}@orderer.example"]
    ]
    verification.certificate_verify(
        user=world.orderer_user, number=g.number, key=match.group(1), client_ip="192.0.2.1", now=timezone.now()
    )
    page.goto(live_server.url + "/contractor/?mode=work_name&q=" + WORK_NAME)
    row = page.get_by_role("row").filter(has_text=g.number).inner_text()
    assert "送信済" in row
    assert "発注者閲覧済" in row
    assert_accessible(page)
    assert not page.js_errors
