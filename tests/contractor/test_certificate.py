"""The certificate (保証証書) page, its versions, the print layout and the viewing-copy PDF."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from esurety.core.kinds import GuaranteeKind
from esurety.core.wareki import format_wareki
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from tests.contractor.portal import client_for, pdf_text, visible_text
from tests.factories import World, amend_amount, change_period, make_guarantee

STATIC = Path(__file__).resolve().parents[2] / "src/esurety/contractor/static/contractor"


def page(world: World, url: str) -> str:
    response = client_for(world.contractor_user).get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


def amend(world: World, g: Guarantee) -> None:
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=timezone.now(),
    )


def test_certificate_shows_the_seed_fields(world: World) -> None:
    g = make_guarantee(world)
    cert = g.certificates.get()
    text = page(world, f"/contractor/guarantees/{g.number}/")

    expected = [
        format_wareki(cert.issued_on),
        "保証証書 (前払金保証)",
        f"保証証書番号 {g.number}",
        "保証契約者 ▲▲市▲▲区▲▲1丁目1番1号 株式会社〇〇建設 様",
        "被保証者 徳島市上下水道事業管理者 様",
        "保証金額(総額) 40,000,000 円",
        f"保証期間 {format_wareki(dt.date(2027, 3, 31))}",
        f"工事末日 {format_wareki(dt.date(2027, 3, 31))}",
        "工事名 〇〇道路改良工事",
        "請負金額(総額) 100,000,000 円",
        "預託金融機関 〇〇銀行 ▲▲支店",
        "当会社は、前払金保証契約に基づき上記のとおり前払金保証契約を締結し、その責に任じます。",
        "〒550-0012 大阪市西区立売堀二丁目1番2号 西日本建設業保証株式会社 取締役社長 御出 一",
        "取次場所: 大塚支店 大塚市西区立売堀二丁目1番2号 TEL: 06-6543-2711 FAX: 0120-504160",
        "【注】",
        # The leaflet's words, as the PDF copy prints them.
        "保証金額の増減等の変更があった場合は(変更)と表示し、変更後の内容を表示します。",
        "保証期間については、工期の変更に伴って自動的に変更されますので、変更の保証証書は発行しません。",
        "印刷画面へ",
        "この画面は、印刷・保存が可能です。",
        "状態: 有効",
    ]
    # dt/dd pairs render as 「label value」 once tags are stripped (the colon comes from CSS).
    text = text.replace(" 保証", " 保証")
    for item in expected:
        assert item in text, item
    assert f"保証証書 (前払金保証) 保証証書番号 {g.number}" in text  # no (変更) on a first issue
    assert "第1版" in text and "変更前（旧版）" not in text.split("証書の版")[1]


def test_performance_guarantee_has_no_deposit_bank(world: World) -> None:
    adv = make_guarantee(world)
    perf = make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=adv.number,
    )
    text = page(world, f"/contractor/guarantees/{perf.number}/")
    assert "保証証書 (契約保証)" in text
    assert "預託金融機関" not in text
    assert "当会社は、契約保証契約に基づき" in text


def test_amended_certificate_is_marked_and_the_old_version_stays_readable(world: World) -> None:
    g = make_guarantee(world)
    amend(world, g)

    current = page(world, f"/contractor/guarantees/{g.number}/")
    assert f"保証証書 (前払金保証) (変更) 保証証書番号 {g.number}" in current
    assert "保証金額(総額) 48,000,000 円" in current
    assert "請負金額(総額) 120,000,000 円" in current
    versions = current.split("証書の版")[1]
    assert re.search(r"第2版 .*（変更） 保証金額 48,000,000円 現在の版", versions)
    assert re.search(r"第1版 .* 保証金額 40,000,000円 変更前（旧版）", versions)
    html = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/").content.decode()
    assert f'href="/contractor/guarantees/{g.number}/?version=1"' in html

    old = page(world, f"/contractor/guarantees/{g.number}/?version=1")
    assert "この保証証書は 変更前（旧版） です。" in old
    assert "保証金額(総額) 40,000,000 円" in old
    assert f"保証証書 (前払金保証) 保証証書番号 {g.number}" in old


@pytest.mark.parametrize("version", ["3", "0", "abc", "-1"])
def test_unknown_version_is_404(world: World, version: str) -> None:
    g = make_guarantee(world)
    response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/?version={version}")
    assert response.status_code == 404


def test_period_change_without_new_certificate_shows_the_new_dates_with_a_note(world: World) -> None:
    g = make_guarantee(world)
    change_period(
        guarantee=g,
        by=world.clerk,
        completion_date=dt.date(2027, 9, 30),
        effective_on=dt.date(2027, 1, 15),
        reason="工期延長",
        now=timezone.now(),
    )
    assert g.certificates.count() == 1
    text = page(world, f"/contractor/guarantees/{g.number}/")
    assert f"保証期間 {format_wareki(dt.date(2027, 9, 30))}" in text
    assert f"工事末日 {format_wareki(dt.date(2027, 9, 30))}" in text
    assert "工期の変更により、保証期間・工事末日は変更後の日付を表示しています" in text
    assert "令和9年1月15日 工期の変更: 工事末日 令和9年3月31日 → 令和9年9月30日（工期延長）" in text
    assert f"保証証書 (前払金保証) 保証証書番号 {g.number}" in text


def test_status_is_visible(world: World) -> None:
    g = make_guarantee(world)
    Guarantee.objects.filter(pk=g.pk).update(status=GuaranteeStatus.EXPIRED)
    assert "状態: 保証期間満了" in page(world, f"/contractor/guarantees/{g.number}/")


def test_full_width_number_in_the_address_finds_the_certificate(world: World) -> None:
    g = make_guarantee(world)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in g.number)
    assert f"保証証書番号 {g.number}" in page(world, f"/contractor/guarantees/{full_width}/")


def test_print_layout_carries_the_viewing_copy_band(world: World) -> None:
    g = make_guarantee(world)
    response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    assert text.count("閲覧用控え（提出不可） 発注者へは「認証キー等のお知らせ」(PDF)を提出してください") == 2
    assert "保証証書 (前払金保証)" in text and "40,000,000 円" in text
    # No portal navigation on the print layout.
    assert "portal-tabs" not in html and "保証料書類" not in text
    assert f'href="/contractor/guarantees/{g.number}/copy.pdf?version=1"' in html

    # The band is not inside anything hidden from print; the print stylesheet keeps it.
    bands = re.findall(r'<(?:div|header|footer) class="copy-band[^"]*"', html)
    assert len(bands) == 2
    for band in bands:
        assert "no-print" not in band
    css = (STATIC / "print.css").read_text()
    assert "@media print" in css and "size: A4" in css
    print_rules = css.split("@media print", 1)[1]
    assert ".copy-band" in print_rules and ".no-print { display: none" in print_rules


def test_certificate_screen_itself_says_it_is_a_viewing_copy(world: World) -> None:
    g = make_guarantee(world)
    text = page(world, f"/contractor/guarantees/{g.number}/")
    assert "閲覧用控え（提出不可）" in text


def test_print_of_an_old_version(world: World) -> None:
    g = make_guarantee(world)
    amend(world, g)
    text = page(world, f"/contractor/guarantees/{g.number}/print/?version=1")
    assert "40,000,000 円" in text and "変更前（旧版）" in text


def test_certificate_copy_pdf_is_marked_and_downloadable(world: World) -> None:
    g = make_guarantee(world)
    response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/copy.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "閲覧用控え" in text
    assert g.number in text
    assert "40,000,000" in text
