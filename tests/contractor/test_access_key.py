"""認証キー 「表示」 (seed STEP 4): the key page and the 「認証キー等のお知らせ」 PDF."""

from __future__ import annotations

from urllib.parse import quote

from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.kinds import DeliveryMethod
from esurety.guarantees import services
from esurety.guarantees.models import AccessKey
from tests.contractor.portal import client_for, pdf_text, tables, visible_text
from tests.factories import World, make_guarantee


def test_key_page_shows_what_the_orderer_needs(world: World) -> None:
    g = make_guarantee(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/key/")
    assert response.status_code == 200
    html = response.content.decode()
    (table,) = tables(html)
    assert dict(table["body"]) == {  # type: ignore[arg-type]
        "区分": "前払金保証",
        "保証契約番号": g.number,
        "認証キー": key,
        "工事名": "〇〇道路改良工事",
        "発注者": "徳島市上下水道事業管理者",
        "保証機関": "西日本建設業保証株式会社",
    }
    text = visible_text(html)
    assert "【重要】 当該PDFファイルを「発注者」へご提出ください" in text
    assert "STEP3で保存したファイル" in text
    assert f'href="/contractor/guarantees/{g.number}/key/notice.pdf"' in html
    assert "no-store" in response["Cache-Control"]


def test_revealing_the_key_is_audited(world: World) -> None:
    g = make_guarantee(world)
    client = client_for(world.contractor_user)
    client.get(f"/contractor/guarantees/{g.number}/key/")
    client.get(f"/contractor/guarantees/{g.number}/key/notice.pdf")
    entries = AuditEntry.objects.filter(action="access_key.reveal", object_id=str(g.pk)).order_by("id")
    assert [(e.actor_id, e.after["purpose"]) for e in entries] == [  # type: ignore[index]
        (world.contractor_user.pk, "view"),
        (world.contractor_user.pk, "notice_pdf"),
    ]
    # The key itself never lands in the audit log.
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    assert all(key not in str(e.after) for e in entries)


def test_notice_pdf_contains_the_key(world: World) -> None:
    g = make_guarantee(world)
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    response = client_for(world.contractor_user).get(f"/contractor/guarantees/{g.number}/key/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('認証キー等のお知らせ')}_{g.number}.pdf" in disposition
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert key in text
    assert g.number in text
    assert "〇〇道路改良工事" in text


def test_paper_guarantee_has_no_key_page(world: World) -> None:
    g = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    client = client_for(world.contractor_user)
    assert client.get(f"/contractor/guarantees/{g.number}/key/").status_code == 404
    assert client.get(f"/contractor/guarantees/{g.number}/key/notice.pdf").status_code == 404
    # The certificate itself is still there to read.
    assert client.get(f"/contractor/guarantees/{g.number}/").status_code == 200


def test_revoked_key_says_so_and_offers_no_pdf(world: World) -> None:
    g = make_guarantee(world)
    AccessKey.objects.filter(guarantee=g).update(revoked_at=timezone.now())
    client = client_for(world.contractor_user)
    response = client.get(f"/contractor/guarantees/{g.number}/key/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "有効な認証キーがありません" in text
    assert "notice.pdf" not in response.content.decode()
    assert client.get(f"/contractor/guarantees/{g.number}/key/notice.pdf").status_code == 404
