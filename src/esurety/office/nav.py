"""The back office's two-level menu: nine groups in one row, the current group's pages below.

Each view names its page with ``office_tab`` in its context; this table is the one place that
says which group and which sub-tab that page belongs to. A page whose ``office_tab`` is not
here shows the menu with no group marked (tests/office/test_nav.py walks every page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from esurety.parties.models import User
from esurety.parties.permissions import is_surety_admin
from esurety.web.tabs import menu_url


def _everyone(user: User) -> bool:
    return True


def _head_office_admin(user: User) -> bool:
    # The webhook log names guarantees of every branch: an administrator bound to a branch
    # is refused by the page (parties.permissions.webhook_owner_administered_by), so no link.
    return is_surety_admin(user) and user.branch_id is None


@dataclass(frozen=True)
class Page:
    # The office_tab of the views that belong to this page (its list, details and forms).
    tab: str
    label: str
    url_name: str
    shown_to: Callable[[User], bool] = _everyone


@dataclass(frozen=True)
class Group:
    label: str
    pages: tuple[Page, ...]


GROUPS: tuple[Group, ...] = (
    Group("ホーム", (Page("home", "ホーム", "office:home"),)),
    Group("申込審査", (Page("queue", "申込審査", "office:queue"),)),
    Group(
        "保証契約",
        (
            Page("guarantees", "保証契約一覧", "office:guarantee_list"),
            Page("imports", "一括取込", "office:imports"),
        ),
    ),
    Group("変更申請", (Page("amendments", "変更申請", "office:amendment_list"),)),
    Group(
        "前払金",
        (
            Page("advance_queue", "使途内訳明細書の審査", "office:advance_queue"),
            Page("advance_accounts", "前払金専用口座", "office:advance_accounts"),
            Page("advance_unusual", "要確認の口座", "office:advance_unusual"),
        ),
    ),
    Group("履行請求", (Page("claims", "履行請求", "office:claim_queue"),)),
    Group(
        "取引先",
        (
            Page("orderers", "発注者", "office:orderer_list"),
            Page("banks", "預託金融機関", "office:bank_list"),
            Page("usage", "利用申込", "office:usage_list"),
        ),
    ),
    Group(
        "記録",
        (
            Page("outbox", "送信メール", "office:outbox"),
            Page("audit", "監査ログ", "office:audit"),
            Page("alerts", "不正アクセス警告", "office:alerts"),
        ),
    ),
    Group(
        "設定",
        (
            Page("rates", "保証料率", "office:premium_rates"),
            Page("api", "API連携", "office:api_tokens", is_surety_admin),
            Page("webhooks", "Webhook設定", "office:webhooks", _head_office_admin),
            Page("totp", "二要素認証", "office:totp"),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Menu:
    groups: list[Link]
    # The current group's pages, when it has more than one for this user; else empty.
    pages: list[Link]
    current_group: str


def office_menu(*, office_tab: str | None, user: User) -> Menu:
    groups: list[Link] = []
    pages: list[Link] = []
    current_group = ""
    for group in GROUPS:
        visible = [page for page in group.pages if page.shown_to(user)]
        if not visible:
            continue
        current = any(page.tab == office_tab for page in visible)
        groups.append(Link(group.label, menu_url(visible[0].url_name), current))
        if current:
            current_group = group.label
        if current and len(visible) > 1:
            pages = [Link(page.label, menu_url(page.url_name), page.tab == office_tab) for page in visible]
    return Menu(groups, pages, current_group)
