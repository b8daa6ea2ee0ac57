"""保証申込 (seed STEP 1) as a contractor user sees it: form, drafts, rule errors, status, isolation."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from esurety.audit.models import AuditEntry
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus
from esurety.parties.models import User
from tests.factories import World, application_input, make_guarantee, make_orderer, submit_application

LIST_URL = "/contractor/applications/"
NEW_URL = "/contractor/applications/new/"


def detail_url(app: Application) -> str:
    return f"/contractor/applications/{app.pk}/"


def edit_url(app: Application) -> str:
    return f"/contractor/applications/{app.pk}/edit/"


def submit_url(app: Application) -> str:
    return f"/contractor/applications/{app.pk}/submit/"


def form_data(world: World, **overrides: str) -> dict[str, str]:
    """What a browser posts for the seed's advance guarantee (〇〇道路改良工事, 40,000,000 of 100,000,000)."""
    data = {
        "branch": str(world.branch.pk),
        "orderer": str(world.orderer.pk),
        "kind": GuaranteeKind.ADVANCE,
        "work_category": WorkCategory.WORKS,
        "work_name": "〇〇道路改良工事",
        "contract_date": "2026-04-10",
        "completion_date": "2027-03-31",
        "contract_price": "100,000,000",
        "contract_price_consideration": "",
        "guaranteed_amount": "40,000,000",
        "deposit_bank": "〇〇銀行 ▲▲支店",
        "advance_guarantee": "",
        "notes": "",
        "delivery_method": DeliveryMethod.ELECTRONIC,
    }
    data.update(overrides)
    return data


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class _ErrorsById(HTMLParser):
    """Collects the text of each element with an id, to find the error list tied to a field."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self.attrs_by_id: dict[str, dict[str, str | None]] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id:
            self.attrs_by_id[element_id] = attributes
            self.texts.setdefault(element_id, "")
        if tag not in {"input", "br", "meta", "link", "img"}:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def parse(html: bytes) -> _ErrorsById:
    parser = _ErrorsById()
    parser.feed(html.decode())
    return parser


def field_error(response: Any, field: str) -> str:
    """The error text shown beside a field (Django's `<ul id="id_<field>_error">`)."""
    return parse(response.content).texts.get(f"id_{field}_error", "")


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def audit_actions(app: Application) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="Application", object_id=str(app.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def draft(world: World, **overrides: object) -> Application:
    return services.application_create(
        by=world.contractor_user, data=application_input(world, **overrides), now=timezone.now()
    )


# --- drafts -----------------------------------------------------------------------------------


def test_application_pages_keep_the_portal_header_and_tabs_with_their_tab_current(world: World) -> None:
    app = draft(world)
    client = client_for(world.contractor_user)
    current = re.compile(r'<a href="/contractor/applications/" aria-current="page">保証申込</a>')
    for url in ("/contractor/applications/", "/contractor/applications/new/", detail_url(app), edit_url(app)):
        html = client.get(url).content.decode()
        assert 'class="portal-tabs"' in html and "保証工事一覧</a>" in html and "保証料書類</a>" in html, url
        assert current.search(html), url
        assert "株式会社〇〇建設 様" in html and "portal.css" in html, url
    # The other tabs do not claim the applications.
    listing = client.get("/contractor/").content.decode()
    assert not current.search(listing) and '<a href="/contractor/applications/">保証申込</a>' in listing


def test_new_form_shows_the_seed_fields_in_japanese(world: World) -> None:
    response = client_for(world.contractor_user).get(NEW_URL)
    assert response.status_code == 200
    text = page_text(response)
    for label in (
        "保証事業会社・取次場所",
        "発注者",
        "業務区分",
        "区分",
        "工事名",
        "契約締結日",
        "工事末日",
        "請負金額(総額)",
        "請負金額(対価額)",
        "保証金額",
        "低入札",
        "預託金融機関",
        "前払金保証の保証契約番号",
        "連絡事項等",
        "保証証書の受取方法",
        "電子交付を希望する",
        "書面",
        "下書き保存",
        "申込む",
    ):
        assert label in text, label
    # The branch select groups 取次場所 under their surety.
    assert f'<optgroup label="{world.surety.name}">' in response.content.decode()
    # Which orderers and contracts may be delivered electronically: the Q&A's table, before a refusal says so.
    assert 'href="/faq/#q-orderers"' in response.content.decode()
    # The adoption rules the page script reads: 徳島市上下水道事業管理者 from 2026-04-01.
    adoptions = json.loads(parse(response.content).texts["adoptions"])
    rows = adoptions[str(world.orderer.pk)]
    assert {"category": "WORKS", "kind": "ADVANCE", "from": "2026-04-01", "until": None} in rows


def test_save_draft_keeps_it_unsubmitted(world: World) -> None:
    client = client_for(world.contractor_user)
    response = client.post(NEW_URL, form_data(world, notes="工期は予定です。", draft="1"))
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(app)
    assert app.status == ApplicationStatus.DRAFT
    assert app.contractor == world.contractor
    assert app.guaranteed_amount == 40_000_000
    assert app.notes == "工期は予定です。"
    assert audit_actions(app) == ["application.create"]

    detail = client.get(detail_url(app))
    text = page_text(detail)
    assert "下書き" in text
    assert "〇〇道路改良工事" in text
    assert "40,000,000 円" in text
    assert "工期は予定です。" in text
    assert "申込む" in text and "編集" in text


def test_draft_may_break_rules_until_submitted(world: World) -> None:
    # 50,000,000 is above 4/10 of the price: fine in a draft, listed as what 申込む would refuse.
    client = client_for(world.contractor_user)
    client.post(NEW_URL, form_data(world, guaranteed_amount="50,000,000", draft="1"))
    app = Application.objects.get()
    assert app.status == ApplicationStatus.DRAFT
    assert "40,000,000円以下" in page_text(client.get(detail_url(app)))


def test_edit_draft(world: World) -> None:
    app = draft(world)
    client = client_for(world.contractor_user)
    form_page = client.get(edit_url(app))
    assert form_page.status_code == 200
    assert 'value="40,000,000"' in form_page.content.decode()  # stored amounts come back with commas

    response = client.post(
        edit_url(app), form_data(world, work_name="△△トンネル工事", guaranteed_amount="20,000,000", draft="1")
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT
    assert (app.work_name, app.guaranteed_amount) == ("△△トンネル工事", 20_000_000)
    assert audit_actions(app) == ["application.create", "application.update"]


def test_type_errors_show_beside_fields_and_write_nothing(world: World) -> None:
    response = client_for(world.contractor_user).post(
        NEW_URL, form_data(world, work_name="", contract_price="十億", draft="1")
    )
    assert response.status_code == 200
    assert field_error(response, "work_name") == "工事名を入力してください。"
    assert "数字で入力してください" in field_error(response, "contract_price")
    assert Application.objects.count() == 0


# --- submission ---------------------------------------------------------------------------------


def test_submit_new_application(world: World) -> None:
    client = client_for(world.contractor_user)
    response = client.post(NEW_URL, form_data(world, submit="1"))
    app = Application.objects.get()
    assert response.status_code == 302
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.delivery_method == DeliveryMethod.ELECTRONIC
    assert audit_actions(app) == ["application.create", "application.submit"]

    detail = page_text(client.get(detail_url(app)))
    assert "状態: 受付" in detail
    assert "保証申込の受付" in detail  # the status history, from the audit log (audit/actions.py)
    assert "保証申込の作成" in detail
    listing = page_text(client.get(LIST_URL))
    assert "〇〇道路改良工事" in listing and "受付" in listing


def test_submit_saved_draft_from_its_page(world: World) -> None:
    app = draft(world)
    response = client_for(world.contractor_user).post(submit_url(app))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_advance_above_four_tenths_is_refused_beside_the_amount(world: World) -> None:
    response = client_for(world.contractor_user).post(
        NEW_URL, form_data(world, guaranteed_amount="45,000,000", submit="1")
    )
    assert response.status_code == 200
    error = field_error(response, "guaranteed_amount")
    assert "10分の4" in error and "40,000,000円以下" in error
    # The input points at its error for screen readers.
    attrs = parse(response.content).attrs_by_id["id_guaranteed_amount"]
    assert "id_guaranteed_amount_error" in (attrs.get("aria-describedby") or "")
    assert attrs.get("aria-invalid") == "true"
    # The user's input is kept, as a draft, and nothing was submitted.
    app = Application.objects.get()
    assert app.status == ApplicationStatus.DRAFT
    assert app.guaranteed_amount == 45_000_000
    assert "application.submit" not in audit_actions(app)
    assert 'value="45,000,000"' in response.content.decode()
    # The form now edits that draft, so pressing 申込む again does not create a second one.
    assert f'action="{edit_url(app)}"' in response.content.decode()


def test_resubmitting_after_a_fix_uses_the_same_draft(world: World) -> None:
    client = client_for(world.contractor_user)
    client.post(NEW_URL, form_data(world, guaranteed_amount="45,000,000", submit="1"))
    app = Application.objects.get()
    client.post(edit_url(app), form_data(world, guaranteed_amount="40,000,000", submit="1"))
    app.refresh_from_db()
    assert Application.objects.count() == 1
    assert app.status == ApplicationStatus.SUBMITTED


def test_orderer_without_adoption_refuses_electronic_on_the_delivery_field(world: World) -> None:
    naruto = make_orderer("鳴門市長", adopt_from=None)
    response = client_for(world.contractor_user).post(NEW_URL, form_data(world, orderer=str(naruto.pk), submit="1"))
    assert response.status_code == 200
    assert "鳴門市長は、令和8年4月10日締結の工事の前払金保証を電子交付の対象としていません。" in field_error(
        response, "delivery_method"
    )
    app = Application.objects.get()
    assert app.status == ApplicationStatus.DRAFT
    assert "application.submit" not in audit_actions(app)
    # The page script has nothing to enable 電子交付 for this orderer.
    assert str(naruto.pk) not in json.loads(parse(response.content).texts["adoptions"])


def test_contract_before_adoption_date_refuses_electronic(world: World) -> None:
    response = client_for(world.contractor_user).post(NEW_URL, form_data(world, contract_date="2026-03-31", submit="1"))
    assert "令和8年3月31日締結の工事の前払金保証を電子交付の対象としていません" in field_error(
        response, "delivery_method"
    )


def test_same_orderer_on_paper_is_accepted(world: World) -> None:
    naruto = make_orderer("鳴門市長", adopt_from=None)
    client_for(world.contractor_user).post(
        NEW_URL, form_data(world, orderer=str(naruto.pk), delivery_method=DeliveryMethod.PAPER, submit="1")
    )
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_performance_reservation_is_paper_only(world: World) -> None:
    data = form_data(world, kind=GuaranteeKind.PERFORMANCE_RESERVATION, guaranteed_amount="10,000,000", submit="1")
    response = client_for(world.contractor_user).post(NEW_URL, data)
    assert "契約保証予約は電子交付の対象外です。" in field_error(response, "delivery_method")
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_saved_draft_shows_the_delivery_refusal_when_edited(world: World) -> None:
    # Without script, the server says why beside the radio as soon as it knows the orderer.
    app = draft(world, kind=GuaranteeKind.PERFORMANCE_RESERVATION, guaranteed_amount=10_000_000)
    response = client_for(world.contractor_user).get(edit_url(app))
    assert "契約保証予約は電子交付の対象外です。" in parse(response.content).texts["delivery-note"]


def test_full_width_money_is_accepted(world: World) -> None:
    data = form_data(
        world,
        contract_price="１００，０００，０００",
        contract_price_consideration="９０,９０９,０９０円",
        guaranteed_amount="４０，０００，０００",
        submit="1",
    )
    client_for(world.contractor_user).post(NEW_URL, data)
    app = Application.objects.get()
    assert app.status == ApplicationStatus.SUBMITTED
    assert (app.contract_price, app.contract_price_consideration, app.guaranteed_amount) == (
        100_000_000,
        90_909_090,
        40_000_000,
    )


def test_performance_guarantee_on_own_advance(world: World) -> None:
    advance = make_guarantee(world)
    client = client_for(world.contractor_user)
    form_page = client.get(NEW_URL).content.decode()
    assert f"{advance.number} 〇〇道路改良工事" in form_page
    data = form_data(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount="10,000,000",
        advance_guarantee=advance.number,
        deposit_bank="ignored for 契約保証",
        submit="1",
    )
    response = client.post(NEW_URL, data)
    assert response.status_code == 302
    app = Application.objects.exclude(pk=advance.application_id).get()
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.advance_guarantee == advance
    assert app.deposit_bank == ""  # not a field of a performance guarantee


def test_performance_guarantee_without_advance_is_refused_beside_the_select(world: World) -> None:
    response = client_for(world.contractor_user).post(
        NEW_URL, form_data(world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount="10,000,000", submit="1")
    )
    assert "前払金保証（保証契約番号）の指定が必要です" in field_error(response, "advance_guarantee")


def test_another_companys_advance_is_neither_offered_nor_accepted(world: World) -> None:
    theirs = make_guarantee(world, by=world.other_contractor_user)
    client = client_for(world.contractor_user)
    assert theirs.number not in client.get(NEW_URL).content.decode()
    response = client.post(
        NEW_URL,
        form_data(
            world,
            kind=GuaranteeKind.PERFORMANCE,
            guaranteed_amount="10,000,000",
            advance_guarantee=theirs.number,
            draft="1",
        ),
    )
    assert response.status_code == 200
    assert field_error(response, "advance_guarantee") == "一覧から有効な前払金保証を選択してください。"
    assert not Application.objects.filter(contractor=world.contractor).exists()


# --- status as the contractor follows it ---------------------------------------------------------


def test_list_shows_rejection_reason_and_certificate_link(world: World) -> None:
    now = timezone.now()
    rejected = submit_application(world, work_name="△△トンネル工事")
    rejected = services.application_start_review(application=rejected, by=world.clerk, now=now)
    services.application_reject(application=rejected, by=world.clerk, reason="請負契約書の写しが未提出です。", now=now)
    guarantee = make_guarantee(world, work_name="□□橋梁補修工事")

    client = client_for(world.contractor_user)
    listing = client.get(LIST_URL)
    text = page_text(listing)
    assert "否決" in text and "理由: 請負契約書の写しが未提出です。" in text
    assert "契約締結" in text
    assert f'href="/contractor/guarantees/{guarantee.number}/"' in listing.content.decode()
    assert "新規保証申込" in text
    # Newest first.
    assert text.index("□□橋梁補修工事") < text.index("△△トンネル工事")

    detail = page_text(client.get(detail_url(guarantee.application)))
    for step in ("保証申込の受付", "審査開始", "承認", "入金確認", "契約締結"):
        assert step in detail, step
    assert world.clerk.username not in detail  # the surety's staff are named by company only


def test_list_is_paginated(world: World) -> None:
    for i in range(21):
        draft(world, work_name=f"工事{i:02d}")
    client = client_for(world.contractor_user)
    first = page_text(client.get(LIST_URL))
    assert "21件中 1 - 20件" in first
    assert "工事20" in first and "工事00" not in first
    second = page_text(client.get(LIST_URL + "?page=2"))
    assert "21件中 21 - 21件" in second and "工事00" in second


def test_submitted_application_cannot_be_edited(world: World) -> None:
    app = submit_application(world)
    client = client_for(world.contractor_user)
    response = client.get(edit_url(app), follow=True)
    assert response.status_code == 200
    assert "「受付」のため、編集・申込はできません" in page_text(response)

    response = client.post(edit_url(app), form_data(world, guaranteed_amount="1,000,000", draft="1"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.guaranteed_amount == 40_000_000
    assert client.post(submit_url(app)).status_code == 302
    assert audit_actions(app) == ["application.create", "application.submit"]


# --- who may see what ----------------------------------------------------------------------------


def test_another_company_sees_nothing_of_alices_application(world: World) -> None:
    app = draft(world, work_name="アリス社の秘密工事")
    charlie = client_for(world.other_contractor_user)
    assert charlie.get(detail_url(app)).status_code == 404
    assert charlie.get(edit_url(app)).status_code == 404
    assert charlie.post(edit_url(app), form_data(world, draft="1")).status_code == 404
    assert charlie.post(submit_url(app)).status_code == 404
    assert "アリス社の秘密工事" not in page_text(charlie.get(LIST_URL))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT and app.work_name == "アリス社の秘密工事"


@pytest.mark.parametrize("persona", ["clerk", "approver", "orderer_user"])
def test_non_contractor_users_get_404(world: World, persona: str) -> None:
    app = draft(world)
    client = client_for(getattr(world, persona))
    for url in (LIST_URL, NEW_URL, detail_url(app), edit_url(app)):
        assert client.get(url).status_code == 404, url
    assert client.post(NEW_URL, form_data(world, submit="1")).status_code == 404
    assert Application.objects.count() == 1


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get(NEW_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_unknown_application_is_404(world: World) -> None:
    assert client_for(world.contractor_user).get("/contractor/applications/999999/").status_code == 404


def test_submit_needs_post(world: World) -> None:
    app = draft(world)
    assert client_for(world.contractor_user).get(submit_url(app)).status_code == 405
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_dates_typed_with_slashes_and_full_width(world: World) -> None:
    client_for(world.contractor_user).post(
        NEW_URL, form_data(world, contract_date="２０２６/０４/１０", completion_date="2027/3/31", draft="1")
    )
    app = Application.objects.get()
    assert (app.contract_date, app.completion_date) == (dt.date(2026, 4, 10), dt.date(2027, 3, 31))
