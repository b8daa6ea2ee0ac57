"""The portals' menus in Chromium: the back office's groups on one line of a 1280 px screen and
inside a 390 px phone; the orderer's pages and the back office's lists never scroll sideways on
that phone (a wide table scrolls inside its own box, which the keyboard can reach)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections

from esurety.parties.models import Role
from tests.claims.helpers import file_claim, receive
from tests.e2e.conftest import BROKEN_DATES, boxes_reached_by_tab, login
from tests.factories import PASSWORD, World, make_guarantee, make_user
from tests.office.lifecycle import make_office
from tests.web.site_pages import build_site

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# One page of each group, and pages with a second row of each kind.
OFFICE_PAGES = [
    "/office/home/",
    "/office/",
    "/office/guarantees/",
    "/office/imports/",
    "/office/amendments/",
    "/office/advances/",
    "/office/advances/accounts/",
    "/office/claims/",
    "/office/orderers/",
    "/office/audit/",
    "/office/premium-rates/",
]

# For each row of the menu: how many items, on how many lines, and whether any reaches past
# the window or past the menu's own box (a menu that scrolls inside itself).
MENU_ROWS = """() => {
  const nav = document.querySelector('.office-nav');
  const rows = Array.from(nav.querySelectorAll('ul')).map(ul => {
    const boxes = Array.from(ul.querySelectorAll('a')).map(a => a.getBoundingClientRect());
    return {
      items: boxes.length,
      lines: new Set(boxes.map(b => Math.round(b.top))).size,
      outside: boxes.filter(b => b.left < 0 || b.right > window.innerWidth).length,
    };
  });
  return {rows, overflow: nav.scrollWidth > nav.clientWidth, right: nav.getBoundingClientRect().right};
}"""

# What reaches past the window's right edge: tag, class and where it ends.
PAST_THE_EDGE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


# Cells of a list (not a phone's cards) whose text of 6 characters or more is squeezed to fewer
# than 3.5 characters a line over 3 lines or more (工事名 two characters a line, the badge 有/効).
# The text a sighted reader sees: not the visually-hidden words for screen readers; lines are the
# text's own rows (a badge's text sits a few pixels off the line it is on); cells of buttons and
# fields are left out, their controls stacking by design.
SQUEEZED_CELLS = """() => Array.from(document.querySelectorAll('main table:not(.stack-rows) > tbody > tr > td'))
  .filter(td => td.offsetParent && !td.querySelector('input, button, select, textarea'))
  .map(td => {
    let text = '';
    const tops = [];
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.visually-hidden')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      if (!rects.length) continue;
      text += node.textContent.replace(/\\s+/g, '');
      tops.push(...rects.map(r => r.top));
    }
    tops.sort((a, b) => a - b);
    const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
    return [text, lines];
  }).filter(([text, lines]) => text.length >= 6 && lines >= 3 && text.length / lines < 3.5)
  .map(([text, lines]) => `${text.slice(0, 16)} (${lines} lines)`)"""


def in_a_thread(build: Any) -> Any:
    """Data built outside Playwright's event loop (signing PDFs runs a loop of its own)."""

    def run() -> Any:
        try:
            return build()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_the_office_menu_is_one_line_at_1280_and_fits_a_phone(world: World, live_server: Any, new_page: Any) -> None:
    admin = in_a_thread(lambda: make_office(world).admin)  # sees every group and every page of 設定
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in OFFICE_PAGES:
            page.goto(live_server.url + path)
            menu = page.evaluate(MENU_ROWS)
            groups, *pages = menu["rows"]
            where = f"{viewport['width']} px {path}"
            assert groups["items"] == 9, where
            assert groups["outside"] == 0 and not menu["overflow"], (where, menu)
            assert menu["right"] <= viewport["width"], (where, menu)
            if viewport is DESKTOP:
                # Every group on the same line; the group's pages on one line of their own.
                assert groups["lines"] == 1, (where, menu)
                assert all(row["lines"] == 1 for row in pages), (where, menu)
            for row in pages:
                assert row["items"] >= 2 and row["outside"] == 0, (where, menu)
    assert not page.js_errors, page.js_errors


def test_the_orderers_pages_do_not_scroll_sideways_on_a_phone(world: World, live_server: Any, new_page: Any) -> None:
    # The orderer's administrator: its menu has the most tabs (Webhook設定).
    admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)

    def build() -> tuple[str, str]:
        g = make_guarantee(world)
        receive(world, g, user=admin)
        return g.number, file_claim(world, g, by=admin).number

    number, claim = in_a_thread(build)
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, live_server, admin.username, PASSWORD)
    for path in (
        "/verify/",
        "/verify/home/",
        "/verify/received/",
        f"/verify/certificates/{number}/",
        "/verify/claims/",
        f"/verify/claims/{claim}/",
        "/verify/organisation/",
        "/verify/organisation/departments/",
        "/verify/organisation/api-tokens/",
        "/verify/webhooks/",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= window, f"{path}: {width} px wide in a {window} px window: {page.evaluate(PAST_THE_EDGE)}"
        assert not page.evaluate(SQUEEZED_CELLS), (path, page.evaluate(SQUEEZED_CELLS))
        assert not page.evaluate(BROKEN_DATES), (path, page.evaluate(BROKEN_DATES))
        tabs = page.evaluate(
            "Array.from(document.querySelectorAll('.portal-tabs a')).map(a => a.getBoundingClientRect().right)"
        )
        assert len(tabs) == 6 and max(tabs) <= window, (path, tabs)
    assert not page.js_errors, page.js_errors


# The back office's lists, each with rows in build_site's data (申込審査 … 不正アクセス警告, Webhook設定).
OFFICE_LISTS = [
    "/office/home/",
    "/office/",
    "/office/guarantees/",
    "/office/amendments/",
    "/office/advances/",
    "/office/advances/accounts/",
    "/office/advances/unusual/",
    "/office/claims/",
    "/office/orderers/",
    "/office/banks/",
    "/office/usage-applications/",
    "/office/premium-rates/",
    "/office/imports/",
    "/office/outbox/",
    "/office/audit/",
    "/office/alerts/",
    "/office/webhooks/",
    "/office/totp/",  # 職員の二要素認証, the 管理者's list of staff
]

# Each box that scrolls sideways: whether the keyboard reaches it and the name it is announced by.
SCROLLING_BOXES = """() => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.scrollWidth > e.clientWidth && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => {
    const by = e.getAttribute('aria-labelledby');
    const named = by ? document.getElementById(by) : null;
    return {
      tabindex: e.getAttribute('tabindex'),
      role: e.getAttribute('role'),
      name: (e.getAttribute('aria-label') || (named ? named.textContent : '')).trim(),
      tables: e.querySelectorAll('table').length,
    };
  })"""


def test_the_office_lists_do_not_scroll_sideways_on_a_phone(world: World, live_server: Any, new_page: Any) -> None:
    site = in_a_thread(lambda: build_site(world))
    admin = next(name for name, paths in site.pages.items() if "/office/usage-applications/" in paths)
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, live_server, admin, PASSWORD)
    report: list[str] = []
    boxes_seen = 0
    for path in OFFICE_LISTS:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("main table").count() > 0, f"{path}: no list to look at"
        width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > window:
            report.append(f"{path}: {width} px wide in a {window} px window: {page.evaluate(PAST_THE_EDGE)}")
        if squeezed := page.evaluate(SQUEEZED_CELLS):
            report.append(f"{path}: text squeezed a few characters a line: {squeezed[:5]}")
        if broken := page.evaluate(BROKEN_DATES):
            report.append(f"{path}: dates broken over two lines: {broken[:5]}")
        # What does not fit scrolls inside a named box that the Tab key stops at.
        for box in page.evaluate(SCROLLING_BOXES):
            if not (box["tabindex"] == "0" and box["role"] == "group" and box["name"] and box["tables"]):
                report.append(f"{path}: a box scrolls without a name or the keyboard: {box}")
            boxes_seen += 1
    assert not report, "\n".join(report)
    assert boxes_seen >= 5, boxes_seen
    # 監査ログ with the keyboard: Tab reaches the log's box and the arrow keys scroll it.
    page.goto(live_server.url + "/office/audit/")
    box = page.get_by_role("group", name="監査ログの記録")
    box.focus()
    assert box.evaluate("e => e === document.activeElement && e.scrollLeft === 0")
    for _ in range(3):  # each press scrolls by a step (smoothly: the first may still be moving)
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert box.evaluate("e => e === document.activeElement && e.scrollLeft > 0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.js_errors, page.js_errors


# Form controls (outside a box that scrolls sideways) that end past the window's right edge.
CONTROLS_PAST_THE_EDGE = """() => Array.from(document.querySelectorAll(
    'main form input, main form select, main form textarea, main form button, main form fieldset'))
  .filter(e => e.type !== 'hidden' && e.getBoundingClientRect().right > window.innerWidth)
  .filter(e => !Array.from(document.querySelectorAll('main *')).some(box => box.contains(e) && box !== e
      && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)))
  .map(e => `${e.tagName}#${e.id || e.name || e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def test_the_office_and_orderer_forms_fit_a_phone(world: World, live_server: Any, new_page: Any) -> None:
    """Every page of the back office and the orderer's portal that holds a form (発注者の登録 was
    897 px wide, its 編集 679 px: fieldsets as wide as their widest input). A table in a form may
    scroll inside its own named box; no field, button or fieldset reaches past the screen."""
    site = in_a_thread(lambda: build_site(world))
    admin = next(name for name, paths in site.pages.items() if "/office/usage-applications/" in paths)
    users = [admin, world.clerk.username, world.approver.username, "ordadmin"]
    extra = {"ordadmin": ["/verify/organisation/departments/"]}  # not among build_site's pages
    report: list[str] = []
    forms_seen: set[str] = set()
    for username in users:
        page = new_page()
        page.set_viewport_size(PHONE)
        login(page, live_server, username, PASSWORD)
        for path in [*site.pages[username], *extra.get(username, [])]:
            if path.endswith("/print/") or "/print/?" in path:  # an A4 sheet, on screen as on paper
                continue
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (username, path)
            if page.locator("main form[method=post]").count() == 0:
                continue
            forms_seen.add(path)
            width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width > window:
                report.append(f"{path}: {width} px wide in a {window} px window: {page.evaluate(PAST_THE_EDGE)}")
            if outside := page.evaluate(CONTROLS_PAST_THE_EDGE):
                report.append(f"{path}: form controls past the edge: {outside}")
            for box in page.evaluate(SCROLLING_BOXES):
                if not (box["tabindex"] == "0" and box["role"] == "group" and box["name"]):
                    report.append(f"{path}: a box scrolls without a name or the keyboard: {box}")
            if path == "/office/orderers/new/":  # its checkboxes on the screen, not behind a sideways scroll
                grid = page.get_by_role("group", name="電子交付の導入範囲の選択表")
                assert grid.evaluate("e => e.scrollWidth <= e.clientWidth"), grid.evaluate("e => e.scrollWidth")
        assert not page.js_errors, page.js_errors
    assert not report, "\n".join(report)
    pk = world.orderer.pk
    for path in ("/office/orderers/new/", f"/office/orderers/{pk}/edit/", "/verify/organisation/departments/"):
        assert path in forms_seen, sorted(forms_seen)
    assert len(forms_seen) >= 15, sorted(forms_seen)


# The orderer's boxes that scroll sideways on a phone, page by page, by the names they are announced by.
ORDERER_BOXES = {
    "/verify/received/": ["受領済みの電子証書の一覧"],
    "/verify/certificates/{number}/": ["変更の履歴の表"],
    "/verify/organisation/": ["電子保証の対象の表", "部署と通知先の表"],
    "/verify/organisation/departments/": ["部署と通知先の入力表"],
    "/verify/organisation/api-tokens/": ["発行済みのトークンの一覧"],
    "/verify/claims/": ["履行請求の一覧"],
}

# How many presses of Tab from the top of a page may pass before every box has been reached.
TAB_STOPS_IN_SCROLL_BOXES = 120


def test_the_orderers_scrolling_boxes_take_the_keyboard_and_are_named(
    world: World, live_server: Any, new_page: Any
) -> None:
    site = in_a_thread(lambda: build_site(world))
    number = next(
        p.split("/")[3] for p in site.pages["ordadmin"] if p.startswith("/verify/certificates/") and p.endswith("/")
    )
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, live_server, "ordadmin", PASSWORD)
    for template, names in ORDERER_BOXES.items():
        path = template.format(number=number)
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        boxes = page.locator(".verify-scroll")
        # Each box is a group announced by what it holds (Chromium's accessibility tree, not the markup).
        assert boxes.count() == len(names), path
        for i, name in enumerate(names):
            group = page.get_by_role("group", name=name, exact=True)
            assert group.count() == 1, (path, name)
            assert group.evaluate("(e, i) => e === document.querySelectorAll('.verify-scroll')[i]", i), (path, name)
        # The Tab key stops at every box, in the order of the page.
        reached = boxes_reached_by_tab(page, ".verify-scroll", expected=len(names), max_stops=TAB_STOPS_IN_SCROLL_BOXES)
        assert reached == names, (path, reached)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    assert not page.js_errors, page.js_errors
