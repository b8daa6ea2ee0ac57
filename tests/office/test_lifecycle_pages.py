"""The back-office pages as the surety's staff use them, and 404 for everyone else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from esurety.core.kinds import GuaranteeKind
from esurety.core.templatetags.esurety import wareki_short
from esurety.guarantees import services
from esurety.guarantees.models import (
    AmendmentRequest,
    AmendmentRequestStatus,
    ApplicationStatus,
    Guarantee,
    GuaranteeStatus,
    PremiumRate,
)
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import ElectronicAdoption, Orderer, Role, User
from tests.contractor.portal import tables, visible_text
from tests.factories import (
    World,
    application_input,
    make_contractor,
    make_guarantee,
    make_orderer,
    make_user,
    submit_application,
)
from tests.office.lifecycle import NOW, Office, make_office, receive


@pytest.fixture
def office(world: World) -> Office:
    return make_office(world)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: object) -> str:
    return visible_text(response.content.decode())  # type: ignore[attr-defined]


def messages_of(response: object) -> list[str]:
    html = response.content.decode()  # type: ignore[attr-defined]
    return [visible_text(m) for m in re.findall(r'<li class="message[^"]*">(.*?)</li>', html, flags=re.S)]


def page_urls(world: World) -> list[str]:
    g = make_guarantee(world)
    app = submit_application(world, work_name="△△トンネル工事")
    return [
        "/office/",
        "/office/?status=SUBMITTED",
        f"/office/applications/{app.pk}/",
        "/office/guarantees/",
        f"/office/guarantees/{g.number}/",
        f"/office/guarantees/{g.number}/amend/",
        f"/office/guarantees/{g.number}/cancel/",
        f"/office/guarantees/{g.number}/reissue-key/",
        "/office/amendments/",
        "/office/premium-rates/",
        "/office/orderers/",
        "/office/orderers/new/",
        f"/office/orderers/{world.orderer.pk}/",
        f"/office/orderers/{world.orderer.pk}/edit/",
        f"/office/statements/R{g.number}-1.pdf",
    ]


def test_every_page_opens_for_staff(world: World, office: Office) -> None:
    client = client_for(office.admin)
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.parametrize("who", ["contractor_user", "other_contractor_user", "orderer_user"])
def test_contractor_and_orderer_users_get_404(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    for url in page_urls(world):
        assert client.get(url).status_code == 404, url


def test_staff_of_another_surety_get_404_for_its_applications_and_guarantees(world: World, office: Office) -> None:
    client = client_for(office.other_surety_staff)
    urls = page_urls(world)
    for url in urls:
        if re.search(r"/office/(applications|guarantees|statements)/.+", url):
            assert client.get(url).status_code == 404, url
    # Their own lists are empty: nothing of the other surety shows.
    assert "この状態の申込はありません。" in text(client.get("/office/"))
    assert "保証契約はまだありません。" in text(client.get("/office/guarantees/"))


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get("/office/guarantees/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_branch_staff_see_their_branch_only(world: World, office: Office) -> None:
    ours = make_guarantee(world)
    theirs = make_guarantee(world, branch_id=office.other_branch.pk, work_name="徳島支店の工事")
    client = client_for(office.other_branch_clerk)
    assert client.get(f"/office/guarantees/{ours.number}/").status_code == 404
    assert client.get(f"/office/applications/{ours.application_id}/").status_code == 404
    assert client.get(f"/office/guarantees/{theirs.number}/").status_code == 200
    listing = text(client.get("/office/guarantees/"))
    assert theirs.number in listing and ours.number not in listing
    queue = text(client.get("/office/?status=CONCLUDED"))
    assert "徳島支店の工事" in queue and "〇〇道路改良工事" not in queue
    # A staff member of the whole surety may filter by branch.
    head = client_for(world.clerk)
    assert "徳島支店の工事" not in text(head.get(f"/office/?status=CONCLUDED&branch={world.branch.pk}"))
    assert "徳島支店の工事" in text(head.get(f"/office/?status=CONCLUDED&branch={office.other_branch.pk}"))


# ---------------------------------------------------------------------------
# queue and review


def test_queue_tabs_count_by_status_newest_first(world: World) -> None:
    submit_application(world, work_name="一番目の工事")
    second = submit_application(world, work_name="二番目の工事")
    services.application_start_review(application=second, by=world.clerk, now=NOW)
    submit_application(world, work_name="三番目の工事")
    services.application_create(
        by=world.contractor_user, data=application_input(world, work_name="未提出の下書き"), now=NOW
    )
    response = client_for(world.clerk).get("/office/")
    page = text(response)
    assert "すべて 3" in page and "受付 2" in page and "審査中 1" in page and "否決 0" in page
    assert "未提出の下書き" not in page  # drafts are the contractor's own
    rows = tables(response.content.decode())[0]["body"]
    assert [r[6] for r in rows] == ["三番目の工事", "二番目の工事", "一番目の工事"]
    assert [r[2] for r in rows] == ["受付", "審査中", "受付"]
    under_review = tables(client_for(world.clerk).get("/office/?status=UNDER_REVIEW").content.decode())[0]["body"]
    assert [r[6] for r in under_review] == ["二番目の工事"]


def test_application_page_shows_fields_rule_areas_and_premium(world: World) -> None:
    app = submit_application(world)
    page = text(client_for(world.clerk).get(f"/office/applications/{app.pk}/"))
    for expected in (
        "株式会社〇〇建設",
        "徳島市上下水道事業管理者",
        "〇〇道路改良工事",
        "100,000,000 円",
        "40,000,000 円",
        "〇〇銀行 ▲▲支店",
        "電子交付",
        "金額（請負金額・保証金額の限度） 問題なし",
        "前払金の限度額: 請負金額(総額)の10分の4（10万円未満切捨て） = 40,000,000円",
        "電子交付の対象（発注者の導入範囲） 問題なし",
        "46,816 円",
        "非課税",
        "サンプル料率",
        "審査開始",
    ):
        assert expected in page, expected
    assert "承認" not in page.split("操作")[1].split("申込内容")[0].replace("承認者", "")


def test_a_broken_rule_is_listed_in_its_area(world: World) -> None:
    app = submit_application(world)
    # The orderer withdraws electronic delivery after the application came in.
    ElectronicAdoption.objects.filter(orderer=world.orderer).delete()
    page = text(client_for(world.clerk).get(f"/office/applications/{app.pk}/"))
    assert "電子交付の対象（発注者の導入範囲） 要確認 1件" in page
    assert "徳島市上下水道事業管理者は、令和8年4月10日締結の工事の前払金保証を電子交付の対象としていません。" in page
    assert "工期（契約締結日・工事末日） 問題なし" in page


def test_review_to_conclusion_through_the_pages(world: World) -> None:
    app = submit_application(world)
    clerk, approver = client_for(world.clerk), client_for(world.approver)
    base = f"/office/applications/{app.pk}"

    response = clerk.post(f"{base}/start-review/", follow=True)
    assert "審査を開始しました。" in messages_of(response)
    # A clerk has no 承認 button, and the service refuses the POST with a message, not an error page.
    assert f'action="/office/applications/{app.pk}/approve/"' not in response.content.decode()
    response = clerk.post(f"{base}/approve/", follow=True)
    assert response.status_code == 200
    assert any("承認の権限がありません" in m for m in messages_of(response))

    response = approver.post(f"{base}/approve/", follow=True)
    assert any("承認しました" in m for m in messages_of(response))
    assert "保証料 46,816 円 （承認時に確定・非課税）" in text(response)

    response = clerk.post(f"{base}/confirm-payment/", {"received_on": ""})
    assert response.status_code == 400 and "入金日を入力してください。" in text(response)
    clerk.post(f"{base}/confirm-payment/", {"received_on": "2026/04/16"})
    app.refresh_from_db()
    assert (app.status, app.payment_received_on) == (ApplicationStatus.PAYMENT_CONFIRMED, dt.date(2026, 4, 16))

    response = clerk.post(f"{base}/conclude/", follow=True)
    g = Guarantee.objects.get(application=app)
    assert any(f"保証契約番号 {g.number}" in m for m in messages_of(response))
    assert (g.current_version, g.access_keys.count()) == (1, 1)
    assert OutboxMessage.objects.filter(template="certificate_issued", to=["alice@example.com"]).count() == 1
    # A second click says why nothing happens.
    response = clerk.post(f"{base}/conclude/", follow=True)
    assert any("「契約締結」のため、この操作はできません" in m for m in messages_of(response))


def test_rejection_needs_a_reason_and_the_contractor_sees_it(world: World) -> None:
    app = submit_application(world)
    clerk = client_for(world.clerk)
    response = clerk.post(f"/office/applications/{app.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400 and "否決理由を入力してください。" in text(response)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    clerk.post(f"/office/applications/{app.pk}/reject/", {"reason": "請負契約書の写しが添付されていません。"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    contractor_page = text(client_for(world.contractor_user).get(f"/contractor/applications/{app.pk}/"))
    assert "請負契約書の写しが添付されていません。" in contractor_page


def test_actions_on_a_wrong_method_or_missing_object(world: World) -> None:
    app = submit_application(world)
    clerk = client_for(world.clerk)
    assert clerk.get(f"/office/applications/{app.pk}/approve/").status_code == 405
    assert clerk.post("/office/applications/999999/approve/").status_code == 404
    assert clerk.get("/office/guarantees/0000000000/").status_code == 404
    assert clerk.get(f"/office/applications/{app.pk}/?x=1").status_code == 200


# ---------------------------------------------------------------------------
# guarantees and amendments


def test_guarantee_search(world: World) -> None:
    a = make_guarantee(world)
    b = make_guarantee(world, work_name="△△トンネル工事", by=world.other_contractor_user)
    client = client_for(world.clerk)

    def numbers(query: str) -> list[str]:
        body = tables(client.get("/office/guarantees/" + query).content.decode())
        return [row[0] for row in body[0]["body"]] if body else []

    assert numbers("") == [b.number, a.number]
    assert numbers("?work_name=トンネル") == [b.number]
    assert numbers("?contractor=△△工務店") == [b.number]
    assert numbers("?orderer=徳島市") == [b.number, a.number]
    assert numbers(f"?number={a.number}") == [a.number]
    assert numbers("?number=" + a.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == [a.number]
    services.guarantee_cancel(guarantee=a, by=world.approver, reason="解除", now=NOW)
    assert numbers("?status=CANCELLED") == [a.number]
    assert "条件に合う保証契約はありません。" in text(client.get("/office/guarantees/?work_name=存在しない"))


def test_guarantee_search_folds_kana_width_and_letters(world: World) -> None:
    alps = make_orderer("南アルプス市長")
    abc = make_contractor("株式会社ＡＢＣ建設")
    abc_user = make_user("abc-admin", contractor=abc, role=Role.ORG_ADMIN)
    tunnel = make_guarantee(world, work_name="ﾄﾝﾈﾙ照明更新工事")
    bridge = make_guarantee(world, orderer_id=alps.pk, work_name="ABC橋梁補修工事", by=abc_user)
    client = client_for(world.clerk)

    def numbers(**query: str) -> list[str]:
        body = tables(client.get("/office/guarantees/", query).content.decode())
        return [row[0] for row in body[0]["body"]] if body else []

    assert numbers(work_name="トンネル") == [tunnel.number]
    assert numbers(work_name="ＡＢＣ") == [bridge.number]
    assert numbers(orderer="ｱﾙﾌﾟｽ") == [bridge.number]
    assert numbers(contractor="abc建設") == [bridge.number]
    # The office's list of orderers searches the name the same way.
    assert "南アルプス市長" in text(client.get("/office/orderers/", {"q": "ｱﾙﾌﾟｽ"}))


def test_long_lists_count_and_page_no_further_than_the_cap(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from esurety.office.views import lifecycle_common

    monkeypatch.setattr(lifecycle_common, "LIST_CAP", 2)
    monkeypatch.setattr(lifecycle_common, "PAGE_SIZE", 1)
    for name in ("一の工事", "二の工事", "三の工事"):
        make_guarantee(world, work_name=name)
    client = client_for(world.clerk)
    page = text(client.get("/office/guarantees/"))
    assert "2件以上中 1 - 1件" in page and "先頭の2件まで表示しています" in page
    assert "2件以上中 2 - 2件" in text(client.get("/office/guarantees/?page=99"))  # the last page is the cap's
    assert "1件中 1 - 1件" in text(client.get("/office/guarantees/?work_name=三の"))


def test_guarantee_page_shows_certificate_receipts_statements_and_keys(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    page = text(client_for(world.clerk).get(f"/office/guarantees/{g.number}/"))
    for expected in (
        "保証証書 (前払金保証)",
        "保証金額(総額) 40,000,000 円",
        "第1版 ",
        "徳島市上下水道事業管理者 — 初回確認 2026/04/20 10:00",
        "番号・認証キーで確認",
        f"R{g.number}-1 保証料領収書(計算書)",
        "非課税",
        "有効",
        "変更申請",
        "認証キー再発行",
        "契約締結",
    ):
        assert expected in page, expected
    assert "解約" not in page.split("操作")[1].split("電子証書（")[0].replace(
        "解約は承認者", ""
    )  # clerks cannot cancel


def test_amendment_through_the_pages_with_four_eyes(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    clerk, approver = client_for(world.clerk), client_for(world.approver)
    url = f"/office/guarantees/{g.number}/amend/"

    form = text(clerk.get(url))
    assert "100,000,000" in client_for(world.clerk).get(url).content.decode()
    assert "前払金の保証金額は、変更後の請負金額(総額)の10分の4（10万円未満切捨て）以下です。" in form

    # Above the new price's limit: the field says so, nothing is stored.
    response = clerk.post(
        url,
        {
            "amendment_type": "AMOUNT",
            "contract_price": "80,000,000",
            "guaranteed_amount": "40,000,000",
            "effective_on": "2026-04-18",
            "reason": "設計変更",
        },
    )
    assert response.status_code == 400
    assert "前払金の保証金額は、請負金額(総額)の10分の4（10万円未満切捨て）の32,000,000円以下にしてください。" in text(
        response
    )
    assert not AmendmentRequest.objects.exists()

    response = clerk.post(
        url,
        {
            "amendment_type": "AMOUNT",
            "contract_price": "１２０，０００，０００",
            "guaranteed_amount": "48,000,000円",
            "effective_on": "2026-04-18",
            "reason": "設計変更",
        },
        follow=True,
    )
    assert any("変更申請を登録しました" in m for m in messages_of(response))
    req = AmendmentRequest.objects.get()
    page = text(response)
    assert "承認待ちの変更申請" in page and "40,000,000円 → 48,000,000円" in page
    assert "ご自身が入力した変更申請は承認できません" in page
    # The clerk's own POST is refused with a message.
    response = clerk.post(f"/office/amendments/{req.pk}/approve/", follow=True)
    assert any("承認の権限がありません" in m for m in messages_of(response))

    assert "変更を承認する" in text(approver.get(f"/office/guarantees/{g.number}/"))
    response = approver.post(f"/office/amendments/{req.pk}/approve/", follow=True)
    assert any("第2版・(変更)" in m for m in messages_of(response))
    page = text(response)
    assert "保証証書 (前払金保証) (変更)" in page
    assert "保証金額(総額) 48,000,000 円" in page
    assert f"R{g.number}-2 保証料領収書(計算書)" in page and "9,363" in page
    old = text(approver.get(f"/office/guarantees/{g.number}/?version=1"))
    assert "この版は 変更前（旧版） です。" in old and "保証金額(総額) 40,000,000 円" in old
    req.refresh_from_db()
    assert req.status == AmendmentRequestStatus.APPROVED


def test_amendment_list_shows_pending_requests(world: World, office: Office) -> None:
    g = make_guarantee(world)
    services.amendment_request_create(
        guarantee=g,
        by=world.clerk,
        amendment_type="PERIOD",
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2026, 4, 18),
        reason="工期延長",
        now=NOW,
    )
    page = text(client_for(world.approver).get("/office/amendments/"))
    assert g.number in page and "工事末日 令和9年3月31日 → 令和9年6月30日" in page and "申請中" in page
    assert "承認待ちの変更申請が 1 件あります" in text(client_for(world.approver).get("/office/"))
    assert g.number not in text(client_for(office.other_branch_clerk).get("/office/amendments/"))


def test_cancel_and_reissue_pages(world: World) -> None:
    g = make_guarantee(world)
    clerk, approver = client_for(world.clerk), client_for(world.approver)
    assert "解約は承認者・支店長・管理者が行います。" in text(clerk.get(f"/office/guarantees/{g.number}/cancel/"))
    response = approver.post(f"/office/guarantees/{g.number}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "理由を入力してください。" in text(response)

    old_key = services.access_key_plain(guarantee=g)
    confirm = text(clerk.get(f"/office/guarantees/{g.number}/reissue-key/"))
    assert "今の認証キーは 直ちに使用できなくなります" in confirm
    response = clerk.post(f"/office/guarantees/{g.number}/reissue-key/", follow=True)
    assert any("認証キーを再発行しました" in m for m in messages_of(response))
    assert old_key is not None and services.access_key_verify(number=g.number, key=old_key) is None
    assert re.search(r"有効 .*無効 20\d\d/\d\d/\d\d \d\d:\d\d 失効", text(response))  # new key active, old one revoked

    response = approver.post(f"/office/guarantees/{g.number}/cancel/", {"reason": "請負契約の解除"}, follow=True)
    g.refresh_from_db()
    assert g.status == GuaranteeStatus.CANCELLED
    page = text(response)
    assert "状態: 解約" in page and "請負契約の解除" in page
    assert "変更申請" not in page.split("操作")[1].split("電子証書（")[0]
    # Any further action is refused with a message.
    response = clerk.post(f"/office/guarantees/{g.number}/reissue-key/", follow=True)
    assert any("「解約」のため認証キーを再発行できません" in m for m in messages_of(response))


def test_statement_pdf_is_scoped(world: World, office: Office) -> None:
    g = make_guarantee(world)
    response = client_for(world.clerk).get(f"/office/statements/R{g.number}-1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client_for(office.other_branch_clerk).get(f"/office/statements/R{g.number}-1.pdf").status_code == 404


# ---------------------------------------------------------------------------
# premium rates


def test_premium_rates_page(world: World, office: Office) -> None:
    page = text(client_for(world.clerk).get("/office/premium-rates/"))
    assert "前払金保証" in page and "0.12%" in page and "サンプル料率" in page and "適用中" in page
    assert "料率の追加は管理者のみ行えます。" in page
    response = client_for(world.clerk).post(
        "/office/premium-rates/",
        {"kind": "ADVANCE", "effective_from": "2026-12-01", "annual_rate": "0.001", "minimum_premium": "3000"},
        follow=True,
    )
    assert any("管理者のみ" in m for m in messages_of(response))
    assert PremiumRate.objects.filter(surety=world.surety).count() == 4

    admin = client_for(office.admin)
    response = admin.post(
        "/office/premium-rates/",
        {"kind": "ADVANCE", "effective_from": "2026-12-01", "annual_rate": "abc", "minimum_premium": "3,000"},
    )
    assert response.status_code == 400 and "年率は0より大きく1未満の小数" in text(response)
    response = admin.post(
        "/office/premium-rates/",
        {"kind": "ADVANCE", "effective_from": "2030-12-01", "annual_rate": "０．００１", "minimum_premium": "3,000"},
        follow=True,
    )
    assert any("保証料率を登録しました" in m for m in messages_of(response))
    assert "令和12年12月1日 予定" in text(response) and "0.1%" in text(response)


# ---------------------------------------------------------------------------
# orderers


def _orderer_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "鳴門市長",
        "organisation_name": "鳴門市",
        "postal_code": "772-8501",
        "address": "鳴門市撫養町南浜字東浜170",
        "notice_subject_template": "",
        "adopt__WORKS__ADVANCE": "on",
        "adopt__CONSULTING__PERFORMANCE": "on",
        "adoption_from": "2026-07-01",
        "adoption_until": "",
        "dept-TOTAL_FORMS": "2",
        "dept-INITIAL_FORMS": "0",
        "dept-MIN_NUM_FORMS": "0",
        "dept-MAX_NUM_FORMS": "1000",
        "dept-0-name": "契約検査課",
        "dept-0-email": "keiyaku@naruto.example",
        "dept-0-kinds": "PERFORMANCE",
        "dept-1-name": "",
        "dept-1-email": "",
    }
    data.update(overrides)
    return data


def test_orderer_create_edit_and_invite(world: World, office: Office) -> None:
    assert "発注者を登録する" not in text(client_for(world.clerk).get("/office/orderers/"))
    response = client_for(world.clerk).post("/office/orderers/new/", _orderer_post(), follow=True)
    assert any("管理者・支店長のみ" in m for m in messages_of(response))
    assert not Orderer.objects.filter(name="鳴門市長").exists()

    manager = client_for(office.manager)
    response = manager.post("/office/orderers/new/", _orderer_post(adoption_from=""))
    assert response.status_code == 400 and "対象となる契約締結日（から）を入力してください" in text(response)
    response = manager.post("/office/orderers/new/", _orderer_post(), follow=True)
    naruto = Orderer.objects.get(name="鳴門市長")
    page = text(response)
    assert "工事 令和8年7月1日から ―（書面のみ） ―（書面のみ）" in page
    assert "建設コンサルタント業務 ―（書面のみ） ―（書面のみ） 令和8年7月1日から" in page
    assert "契約検査課 keiyaku@naruto.example 契約" in page
    assert naruto.notice_subject_template.startswith("【電子保証】{kind}")  # the default when left blank

    edit = manager.get(f"/office/orderers/{naruto.pk}/edit/").content.decode()
    assert 'name="adopt__WORKS__ADVANCE" id="id_adopt__WORKS__ADVANCE" checked' in edit or re.search(
        r'name="adopt__WORKS__ADVANCE"[^>]*checked', edit
    )
    manager.post(
        f"/office/orderers/{naruto.pk}/edit/",
        _orderer_post(
            **{
                "adopt__CONSULTING__PERFORMANCE": "",
                "dept-TOTAL_FORMS": "2",
                "dept-1-name": "土木課",
                "dept-1-email": "doboku@naruto.example",
                "dept-1-kinds": "ADVANCE",
                "notice_subject_template": "{number} {work_name}",
            }
        ),
    )
    naruto.refresh_from_db()
    assert list(naruto.adoptions.values_list("work_category", "kind")) == [("WORKS", "ADVANCE")]
    assert sorted(naruto.departments.values_list("name", flat=True)) == ["土木課", "契約検査課"]
    assert naruto.notice_subject_template == "{number} {work_name}"

    response = manager.post(f"/office/orderers/{naruto.pk}/invite/", {"display_name": "阿波 花子", "email": "x"})
    assert response.status_code == 400 and "メールアドレスの形式が正しくありません。" in text(response)
    response = manager.post(
        f"/office/orderers/{naruto.pk}/invite/",
        {"display_name": "阿波 花子", "email": "hanako@naruto.example"},
        follow=True,
    )
    assert any("管理者として登録し" in m for m in messages_of(response))
    assert "招待中（パスワード未設定）" in text(response)
    assert "管理者が登録済みです" in text(response)
    assert OutboxMessage.objects.filter(template="orderer_user_invited", to=["hanako@naruto.example"]).exists()


def test_orderer_list_search(world: World) -> None:
    Orderer.objects.create(name="鳴門市長")
    page = text(client_for(world.clerk).get("/office/orderers/?q=鳴門"))
    assert "鳴門市長" in page and "徳島市上下水道事業管理者" not in page and "未導入（書面のみ）" in page


def test_interim_advance_limits_shown_on_the_application(world: World) -> None:
    advance = make_guarantee(world)
    app = submit_application(
        world, kind=GuaranteeKind.INTERIM_ADVANCE, guaranteed_amount=20_000_000, advance_guarantee_number=advance.number
    )
    page = text(client_for(world.clerk).get(f"/office/applications/{app.pk}/"))
    assert "中間前払金の限度額: 20,000,000円（10分の2）／前払金との合計の限度額: 60,000,000円（10分の6）" in page
    assert "前払金保証（同一工事） " + advance.number in page


def test_the_guarantee_list_shows_the_guarantee_period_in_wareki(world: World) -> None:
    """保証期間 in 和暦 as on the guarantee's page and the orderer's 受領済み一覧 (令和9年3月31日),
    not 2027/03/31; 証書発行日 keeps the seed list's 2026/04/24."""
    g = make_guarantee(world)
    listing = tables(client_for(world.clerk).get("/office/guarantees/").content.decode())[0]
    head = listing["head"][0]
    row = next(r for r in listing["body"] if r[0] == g.number)
    period = row[head.index("保証期間")]
    assert period == wareki_short(g.period_end), period
    assert re.fullmatch(r"令和\d+年\d+月\d+日", period)
    assert re.fullmatch(r"\d{4}/\d\d/\d\d", row[head.index("証書発行日")])
