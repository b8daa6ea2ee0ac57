"""The back office's two-level menu: every page marks its group and its page, and a link is
offered only to the staff whom its page admits."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from esurety.parties.models import Role, User
from tests.factories import PASSWORD, World, make_user
from tests.office.lifecycle import make_office
from tests.web.site_pages import build_site, small_pages  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Where each page belongs, by the start of its path (the longest match wins): group, and the
# page in the group's second row (None: a group of one page, which has no second row).
PLACES: dict[str, tuple[str, str | None]] = {
    "/office/": ("申込審査", None),
    "/office/applications/": ("申込審査", None),
    "/office/home/": ("ホーム", None),
    "/office/guarantees/": ("保証契約", "保証契約一覧"),
    "/office/imports/": ("保証契約", "一括取込"),
    "/office/amendments/": ("変更申請", None),
    "/office/advances/": ("前払金", "使途内訳明細書の審査"),
    "/office/advances/accounts/": ("前払金", "前払金専用口座"),
    "/office/advances/unusual/": ("前払金", "要確認の口座"),
    "/office/claims/": ("履行請求", None),
    "/office/orderers/": ("取引先", "発注者"),
    "/office/banks/": ("取引先", "預託金融機関"),
    "/office/usage-applications/": ("取引先", "利用申込"),
    "/office/outbox/": ("記録", "送信メール"),
    "/office/audit/": ("記録", "監査ログ"),
    "/office/alerts/": ("記録", "不正アクセス警告"),
    "/office/premium-rates/": ("設定", "保証料率"),
    "/office/api-tokens/": ("設定", "API連携"),
    "/office/webhooks/": ("設定", "Webhook設定"),
    "/office/totp/": ("設定", "二要素認証"),
}

GROUPS = ["ホーム", "申込審査", "保証契約", "変更申請", "前払金", "履行請求", "取引先", "記録", "設定"]


def place_of(path: str) -> tuple[str, str | None]:
    bare = path.split("?")[0]
    return PLACES[max((p for p in PLACES if bare.startswith(p)), key=len)]


def menu(html: str) -> str:
    found = re.search(r'<nav class="office-nav".*?</nav>', html, re.S)
    assert found, "no menu"
    return found.group(0)


def current(html: str) -> tuple[str, list[str]]:
    """The group marked current in the first row, and the pages marked current in the second."""
    nav = menu(html)
    groups, _, pages = nav.partition('class="office-nav__pages"')
    marked = re.findall(r'aria-current="(?:page|true)">([^<]+)</a>', groups)
    assert len(marked) == 1, marked
    return marked[0], re.findall(r'aria-current="page">([^<]+)</a>', pages)


def labels(html: str, row: str) -> list[str]:
    found = re.search(rf'<ul class="office-nav__{row}"[^>]*>(.*?)</ul>', menu(html), re.S)
    return re.findall(r">([^<>]+)</a>", found.group(1)) if found else []


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("small_pages")
def test_every_office_page_marks_its_group_and_its_page(world: World) -> None:
    site = build_site(world)
    seen = 0
    for username, paths in site.pages.items():
        if username is None or username == site.totp_user:
            continue
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        for path in paths:
            if not path.startswith("/office/"):
                continue
            html = client.get(path).content.decode()
            group, page = place_of(path)
            assert current(html) == (group, [page] if page else []), f"{username} {path}"
            assert labels(html, "groups") == GROUPS, f"{username} {path}"
            seen += 1
    assert seen > 60


def test_a_group_tab_opens_the_first_page_of_its_group(world: World) -> None:
    html = client_for(make_office(world).admin).get("/office/banks/").content.decode()
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu(html).partition("office-nav__pages")[0]))
    assert links == {
        "/office/home/": "ホーム",
        "/office/": "申込審査",
        "/office/guarantees/": "保証契約",
        "/office/amendments/": "変更申請",
        "/office/advances/": "前払金",
        "/office/claims/": "履行請求",
        "/office/orderers/": "取引先",
        "/office/outbox/": "記録",
        "/office/premium-rates/": "設定",
    }
    assert labels(html, "pages") == ["発注者", "預託金融機関", "利用申込"]


def test_only_a_head_office_administrator_is_offered_api_and_webhook_settings(world: World) -> None:
    office = make_office(world)
    branch_clerk = make_user("branchclerk", surety=world.surety, branch=office.other_branch, role=Role.CLERK)
    branch_admin = make_user("branchadmin", surety=world.surety, branch=office.other_branch, role=Role.SURETY_ADMIN)
    settings = {
        branch_clerk: ["保証料率", "二要素認証"],
        world.clerk: ["保証料率", "二要素認証"],
        office.manager: ["保証料率", "二要素認証"],
        branch_admin: ["保証料率", "API連携", "二要素認証"],
        office.admin: ["保証料率", "API連携", "Webhook設定", "二要素認証"],
    }
    for user, expected in settings.items():
        client = client_for(user)
        html = client.get("/office/premium-rates/").content.decode()
        assert labels(html, "pages") == expected, user.username
        # Nor on any other page: the second row shows the current group only, and the menu
        # never links where the user would get a 404.
        for path in ("/office/home/", "/office/audit/", "/office/guarantees/"):
            other = client.get(path).content.decode()
            assert "API連携" not in menu(other) and "Webhook設定" not in menu(other), (user.username, path)
    assert client_for(branch_clerk).get("/office/webhooks/").status_code == 404
    assert client_for(branch_admin).get("/office/webhooks/").status_code == 404
