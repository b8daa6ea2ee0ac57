"""Crafted input through the portals' pages: a form error or a 4xx, never a 500, never a record written.

Issue 11, items 5 and 6: dates out of any business range, 「²」 where a number is
read, filters that overflow the date arithmetic, a form posted in Shift_JIS.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.parties.models import Orderer, Role, User
from tests.contractor.test_applications import NEW_URL, field_error, form_data
from tests.factories import World, make_guarantee, make_user, submit_application
from tests.office.lifecycle import receive

RANGE = "2000年1月1日から2099年12月31日までの日付にしてください。"


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# -- item 5: one date policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("contract_date", "1800-01-01", "契約締結日"),
        ("contract_date", "9999-12-31", "契約締結日"),
        ("completion_date", "0001-01-01", "工事末日"),
        ("completion_date", "2100-01-01", "工事末日"),
    ],
)
@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submit"])
def test_an_application_dated_outside_the_range_is_refused_beside_the_field(
    world: World, field: str, value: str, label: str, submit: bool
) -> None:
    data = form_data(world, **{field: value})
    if submit:
        data["submit"] = "1"
    response = client_for(world.contractor_user).post(NEW_URL, data)
    assert response.status_code == 200
    assert field_error(response, field) == f"{label}は{RANGE}"
    assert not Application.objects.exists()


def test_completion_before_the_contract_date_is_refused_even_for_a_draft(world: World) -> None:
    data = form_data(world, contract_date="2026-04-10", completion_date="2026-01-01")
    response = client_for(world.contractor_user).post(NEW_URL, data)
    assert response.status_code == 200
    assert (
        field_error(response, "completion_date") == "工事末日は契約締結日（令和8年4月10日）以降の日付にしてください。"
    )
    assert not Application.objects.exists()


def test_a_page_with_an_out_of_range_date_already_stored_still_opens(world: World) -> None:
    """Data written before the policy (or by hand) must not make a page answer 500 for ever."""
    app = submit_application(world)
    Application.objects.filter(pk=app.pk).update(
        contract_date=dt.date(1800, 1, 1), completion_date=dt.date(9999, 12, 31)
    )
    contractor_page = client_for(world.contractor_user).get(f"/contractor/applications/{app.pk}/")
    assert contractor_page.status_code == 200
    assert "1800年1月1日" in text_of(contractor_page)
    assert "7981" not in text_of(contractor_page)
    staff = make_user("dates-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    office_page = client_for(staff).get(f"/office/applications/{app.pk}/")
    assert office_page.status_code == 200
    assert "1800年" in text_of(office_page)


def _approved(world: World) -> Application:
    app = submit_application(world)
    now = timezone.now()
    app = services.application_start_review(application=app, by=world.clerk, now=now)
    return services.application_approve(application=app, by=world.approver, now=now)


@pytest.mark.parametrize(
    ("received_on", "error"),
    [
        ("9999-12-31", f"入金日は{RANGE}"),
        ("1800-01-01", f"入金日は{RANGE}"),
        ("2099-12-31", "入金日（令和81年12月31日）が未来の日付です。"),
    ],
)
def test_a_payment_date_out_of_range_or_in_the_future_is_refused_beside_the_field(
    world: World, received_on: str, error: str
) -> None:
    app = _approved(world)
    response = client_for(world.clerk).post(
        f"/office/applications/{app.pk}/confirm-payment/", {"received_on": received_on}
    )
    assert response.status_code == 400
    assert error in text_of(response)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    assert app.payment_received_on is None


def test_the_service_refuses_a_future_payment_date_for_every_caller(world: World) -> None:
    from esurety.core.errors import DomainError

    app = _approved(world)
    with pytest.raises(DomainError) as caught:
        services.application_confirm_payment(
            application=app, by=world.clerk, received_on=dt.date(2099, 1, 1), now=timezone.now()
        )
    assert [v.field for v in caught.value.violations] == ["received_on"]


def test_an_orderer_adoption_date_outside_the_range_is_a_form_error(world: World) -> None:
    staff = make_user("dates-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    response = client_for(staff).post(
        "/office/orderers/new/",
        {
            "name": "新しい市",
            "adoption_from": "1800-01-01",
            "adopt__WORKS__ADVANCE": "on",
            "dept-TOTAL_FORMS": "0",
            "dept-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 400)
    assert f"対象となる契約締結日（から）は{RANGE}" in text_of(response)
    assert not Orderer.objects.filter(name="新しい市").exists()


# -- item 6: query parameters and form encodings ------------------------------------------------


def certificate_urls(g: Guarantee) -> list[tuple[str, str]]:
    n = g.number
    return [
        ("contractor_user", f"/contractor/guarantees/{n}/"),
        ("contractor_user", f"/contractor/guarantees/{n}/print/"),
        ("contractor_user", f"/contractor/guarantees/{n}/copy.pdf"),
        ("orderer_user", f"/verify/certificates/{n}/"),
        ("orderer_user", f"/verify/certificates/{n}/print/"),
        ("orderer_user", f"/verify/certificates/{n}/copy.pdf"),
        ("approver", f"/office/guarantees/{n}/"),
    ]


@pytest.mark.parametrize(
    "version", ["²", "᧚", "9" * 5000, "１"], ids=["superscript", "tai-lue", "5000-digits", "zenkaku"]
)
def test_a_version_that_is_not_ascii_digits_is_a_404_on_every_certificate_page(world: World, version: str) -> None:
    g = make_guarantee(world)
    receive(world, g)
    for who, url in certificate_urls(g):
        response = client_for(getattr(world, who)).get(url, {"version": version})
        assert response.status_code == 404, (url, response.status_code)
        # The same page without the parameter is there: the 404 is about the version.
        assert client_for(getattr(world, who)).get(url).status_code == 200, url


def test_a_version_that_does_not_exist_is_a_404_on_every_certificate_page(world: World) -> None:
    """The domain says NotFound (guarantees.presentation); every portal answers it with its 404 page."""
    g = make_guarantee(world)
    receive(world, g)
    for who, url in certificate_urls(g):
        response = client_for(getattr(world, who)).get(url, {"version": "99"})
        assert response.status_code == 404, (url, response.status_code)
        assert client_for(getattr(world, who)).get(url, {"version": "1"}).status_code == 200, url


@pytest.mark.parametrize(
    "branch", ["²", "9" * 5000, "-1", "abc"], ids=["superscript", "5000-digits", "negative", "text"]
)
def test_a_malformed_branch_filter_lists_every_branch(world: World, branch: str) -> None:
    submit_application(world)
    staff = make_user("branch-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    for url in ("/office/", "/office/guarantees/"):
        response = client_for(staff).get(url, {"branch": branch})
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("params", "field_label"),
    [
        ({"date_from": "0001-01-01"}, "期間（から）"),
        ({"date_to": "9999-12-31"}, "期間（まで）"),
        ({"date_from": "1800-01-01", "date_to": "9999-12-31"}, "期間（から）"),
    ],
)
def test_audit_dates_outside_the_range_are_form_errors(world: World, params: dict[str, str], field_label: str) -> None:
    staff = make_user("audit-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    client = client_for(staff)
    response = client.get("/office/audit/", params)
    assert response.status_code == 200
    assert f"{field_label}は{RANGE}" in text_of(response)
    export = client.get("/office/audit/export.csv", params)
    assert export.status_code == 200
    b"".join(export.streaming_content)  # type: ignore[attr-defined]


def test_statement_dates_outside_the_range_are_form_errors(world: World) -> None:
    response = client_for(world.contractor_user).get("/contractor/statements/", {"issued_to": "9999-12-31"})
    assert response.status_code == 200
    assert f"発行日（まで）は{RANGE}" in text_of(response)


def test_a_form_posted_in_shift_jis_is_a_400_not_a_500(world: World) -> None:
    """With CSRF checks on, as in a browser: Django's 400 page re-read the body and failed."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(world.contractor_user)
    client.get(NEW_URL)
    token = client.cookies["csrftoken"].value
    body = b"csrfmiddlewaretoken=" + token.encode() + b"&work_name=%82%ff%82"
    response = client.generic(
        "POST", NEW_URL, body, content_type="application/x-www-form-urlencoded; charset=shift_jis"
    )
    assert response.status_code == 400
    assert not Application.objects.exists()
    # The same form in UTF-8 is read as usual.
    ok = client.post(NEW_URL, {**form_data(world), "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    assert Application.objects.count() == 1


@pytest.mark.parametrize("next_url", ["0", "guarantees", "//evil.example/", "https://evil.example/"])
def test_totp_next_that_is_not_a_path_of_this_site_goes_to_the_office(world: World, next_url: str) -> None:
    staff = make_user("totp-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    response = client_for(staff).get("/office/totp/verify/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/office/"


# -- item 7, the forms' side: one rule for control characters ----------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("work_name", "〇〇\u202e事工路道", "U+202E"),
        ("work_name", "〇〇道路\x00改良工事", "U+0000"),
        ("work_name", "〇〇道路\n改良工事", "U+000A"),
        ("deposit_bank", "〇〇銀行\u200b▲▲支店", "U+200B"),
        ("notes", "連絡\u2066事項", "U+2066"),
    ],
)
def test_control_characters_in_the_application_are_refused_beside_the_field(
    world: World, field: str, value: str, named: str
) -> None:
    response = client_for(world.contractor_user).post(NEW_URL, form_data(world, **{field: value}))
    assert response.status_code == 200
    assert named in field_error(response, field)
    assert "使用できない文字" in field_error(response, field)
    assert not Application.objects.exists()


def test_line_breaks_stay_allowed_in_the_notes(world: World) -> None:
    response = client_for(world.contractor_user).post(NEW_URL, form_data(world, notes="一行目\r\n二行目"))
    assert response.status_code == 302
    assert Application.objects.get().notes == "一行目\r\n二行目"


def test_control_characters_in_an_office_form_are_refused(world: World) -> None:
    staff = make_user("text-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    response = client_for(staff).post(
        "/office/orderers/new/", {"name": "徳島\u200b市", "dept-TOTAL_FORMS": "0", "dept-INITIAL_FORMS": "0"}
    )
    assert "幅のない文字 U+200B" in text_of(response)
    assert not Orderer.objects.filter(name__startswith="徳島").exclude(pk=world.orderer.pk).exists()


def test_the_service_refuses_control_characters_from_any_caller(world: World) -> None:
    from esurety.core.errors import DomainError
    from tests.factories import application_input

    with pytest.raises(DomainError) as caught:
        services.application_create(
            by=world.contractor_user, data=application_input(world, work_name="工事\u202e"), now=timezone.now()
        )
    assert [v.field for v in caught.value.violations] == ["work_name"]
    assert not Application.objects.exists()


def test_an_orderer_search_longer_than_any_name_finds_nothing_instead_of_failing(world: World) -> None:
    staff = make_user("search-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    client = client_for(staff)
    assert world.orderer.name in text_of(client.get("/office/orderers/", {"q": "徳島"}))
    for query in ("徳" * 100_000, "徳島\x00"):
        response = client.get("/office/orderers/", {"q": query})
        assert response.status_code == 200
        assert world.orderer.name not in text_of(response).split("発注者名・機関名", 1)[1]


@pytest.mark.parametrize("segment", ["%00", "2070000001%00", "%E2%80%AE2070000001", "9" * 300])
def test_a_crafted_number_in_the_address_is_a_404_on_every_portal(world: World, segment: str) -> None:
    """PostgreSQL refused a NUL in the lookup with an error: a malformed number is never looked up."""
    g = make_guarantee(world)
    receive(world, g)
    staff = make_user("path-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    for user, url in (
        (world.contractor_user, f"/contractor/guarantees/{segment}/"),
        (world.contractor_user, f"/contractor/guarantees/{segment}/key/"),
        (world.contractor_user, f"/contractor/statements/{segment}.pdf"),
        (world.orderer_user, f"/verify/certificates/{segment}/"),
        (staff, f"/office/guarantees/{segment}/"),
        (staff, f"/office/statements/{segment}.pdf"),
    ):
        assert client_for(user).get(url).status_code == 404, url
    # Full-width digits are still the same number.
    assert client_for(world.orderer_user).get(f"/verify/certificates/{g.number.translate(ZENKAKU)}/").status_code == 200


ZENKAKU = str.maketrans("0123456789", "０１２３４５６７８９")
