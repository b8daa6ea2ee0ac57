"""The contractor's and the orderer's tab bars: every page marks the one tab it belongs to."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from esurety.parties.models import Role, User
from tests.factories import World, make_guarantee, make_user
from tests.office.lifecycle import receive

TABS = re.compile(r'<nav class="portal-tabs" aria-label="([^"]+)">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def tabs_of(client: Client, path: str) -> tuple[str, list[str], list[str]]:
    """The menu's name, its tabs' labels, and the labels marked current."""
    response = client.get(path)
    assert response.status_code == 200, path
    found = TABS.findall(response.content.decode())
    assert len(found) == 1, path
    name, body = found[0]
    links = LINK.findall(body)
    return name, [label for _, _, label in links], [label for _, current, label in links if current]


def assert_each_marks(client: Client, expected: dict[str, str], *, menu: str, labels: list[str]) -> None:
    """Each page (path → its tab): the menu with all its tabs, the page's own tab alone current."""
    for path, tab in expected.items():
        name, shown, current = tabs_of(client, path)
        assert name == menu
        assert shown == labels, path
        assert current == [tab], path


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_orderer_page_marks_its_own_tab(world: World) -> None:
    g = make_guarantee(world)
    receive(world, g)
    client = signed_in(world.orderer_user)
    expected = {
        "/verify/home/": "ホーム",
        "/verify/": "電子証書の確認",
        "/verify/received/": "受領済み一覧",
        f"/verify/certificates/{g.number}/": "受領済み一覧",
        "/verify/claims/": "履行請求",
        f"/verify/certificates/{g.number}/completion/": "履行請求",
        "/verify/organisation/": "組織情報",
    }
    labels = ["ホーム", "電子証書の確認", "受領済み一覧", "履行請求", "組織情報"]
    assert_each_marks(client, expected, menu="発注者メニュー", labels=labels)


@pytest.mark.parametrize(("role", "shown"), [(Role.ORG_ADMIN, True), (Role.MEMBER, False)])
def test_only_the_orderers_administrator_has_the_webhook_tab(world: World, role: str, shown: bool) -> None:
    user = make_user("orderer-" + role.lower(), orderer=world.orderer, role=role)
    _, labels, _ = tabs_of(signed_in(user), "/verify/")
    assert ("Webhook設定" in labels) is shown
    if shown:
        _, _, current = tabs_of(signed_in(user), "/verify/webhooks/")
        assert current == ["Webhook設定"]


def test_each_contractor_page_marks_its_own_tab(world: World) -> None:
    g = make_guarantee(world)
    client = signed_in(world.contractor_user)
    expected = {
        "/contractor/": "保証工事一覧",
        f"/contractor/guarantees/{g.number}/": "保証工事一覧",
        "/contractor/statements/": "保証料書類",
        "/contractor/advances/": "前払金の使途",
        "/contractor/applications/": "保証申込",
        "/contractor/applications/new/": "保証申込",
        "/contractor/claims/": "履行請求・返還",
    }
    labels = ["保証工事一覧", "保証料書類", "前払金の使途", "保証申込", "履行請求・返還"]
    assert_each_marks(client, expected, menu="受注者メニュー", labels=labels)
