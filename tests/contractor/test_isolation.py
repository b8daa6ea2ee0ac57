"""Every portal URL: alice's objects are invisible to another company, to orderers, to staff and to anonymous users."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from esurety.guarantees.models import Guarantee, PremiumStatement
from tests.contractor.portal import client_for
from tests.factories import World, amend_amount, make_guarantee

OBJECT_URLS = {
    "certificate": "/contractor/guarantees/{number}/",
    "certificate_version": "/contractor/guarantees/{number}/?version=1",
    "print": "/contractor/guarantees/{number}/print/",
    "print_version": "/contractor/guarantees/{number}/print/?version=1",
    "copy_pdf": "/contractor/guarantees/{number}/copy.pdf",
    "key": "/contractor/guarantees/{number}/key/",
    "notice_dispatch": "/contractor/guarantees/{number}/key/send/",
    "notice_pdf": "/contractor/guarantees/{number}/key/notice.pdf",
    "statement_pdf": "/contractor/statements/{statement}.pdf",
}
LIST_URLS = {
    "list": "/contractor/",
    "list_search": "/contractor/?mode=work_name&q=" + quote("アリス"),
    "csv": "/contractor/export.csv",
    "statements": "/contractor/statements/",
}
ALL_URLS = {**OBJECT_URLS, **LIST_URLS}


@dataclass
class Alice:
    guarantee: Guarantee
    statement: PremiumStatement

    def url(self, template: str) -> str:
        return template.format(number=self.guarantee.number, statement=self.statement.number)


@pytest.fixture
def alice(world: World) -> Alice:
    g = make_guarantee(world, work_name="アリス建設の道路工事")
    # A second version, so ?version=1 is a superseded one.
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=120_000_000,
        guaranteed_amount=48_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=timezone.now(),
    )
    make_guarantee(world, by=world.other_contractor_user, work_name="チャーリー工務店の工事")
    return Alice(guarantee=g, statement=g.premium_statements.get(number=f"R{g.number}-1"))


def body(response: object) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    return response.content  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("name", sorted(ALL_URLS))
def test_alice_reaches_every_url(world: World, alice: Alice, name: str) -> None:
    """The control: the same URLs work for the owner, so the 404s below mean isolation."""
    response = client_for(world.contractor_user).get(alice.url(ALL_URLS[name]))
    assert response.status_code == 200
    if name in LIST_URLS:
        content = body(response).decode("utf-8-sig")
        assert alice.guarantee.number in content or alice.statement.number in content


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_other_company_gets_404_for_alices_objects(world: World, alice: Alice, name: str) -> None:
    response = client_for(world.other_contractor_user).get(alice.url(OBJECT_URLS[name]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(LIST_URLS))
def test_other_company_lists_do_not_contain_alices_objects(world: World, alice: Alice, name: str) -> None:
    response = client_for(world.other_contractor_user).get(alice.url(LIST_URLS[name]))
    assert response.status_code == 200
    content = body(response).decode("utf-8-sig")
    assert alice.guarantee.number not in content
    assert alice.statement.number not in content
    assert "アリス建設の道路工事" not in content
    if name == "list_search":
        assert "該当する保証契約はありません" in content


@pytest.mark.parametrize("persona", ["orderer_user", "clerk", "approver"])
@pytest.mark.parametrize("name", sorted(ALL_URLS))
def test_orderers_and_staff_get_404_on_the_portal(world: World, alice: Alice, persona: str, name: str) -> None:
    response = client_for(getattr(world, persona)).get(alice.url(ALL_URLS[name]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(ALL_URLS))
def test_anonymous_is_sent_to_login(world: World, alice: Alice, name: str) -> None:
    url = alice.url(ALL_URLS[name])
    response = client_for(None).get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"] == [url]


def test_inactive_contractor_user_gets_nothing(world: World, alice: Alice) -> None:
    user = world.contractor_user
    client = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Django logs an inactive user out; the portal then asks for a login.
    assert client.get("/contractor/").status_code == 302
