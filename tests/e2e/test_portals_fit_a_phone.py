"""The contractor's portal, the deposit bank's, 利用者の管理 (/account/) and the public /check/ page
on a 390 px phone in Chromium: no page scrolls sideways, no form control reaches past the screen,
and every wide table scrolls inside its own box, a group named for what it holds that the Tab key
stops at (as the back office's and the orderer's, tests/e2e/test_menus_fit.py). The rows of
部署と通知先 (the office's 発注者の登録, the orderer's own page) are cards on the phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from esurety.parties.models import Role
from tests.e2e.conftest import BROKEN_DATES, boxes_reached_by_tab, login
from tests.e2e.test_menus_fit import (
    CONTROLS_PAST_THE_EDGE,
    DESKTOP,
    PAST_THE_EDGE,
    PHONE,
    SCROLLING_BOXES,
    SQUEEZED_CELLS,
    in_a_thread,
)
from tests.factories import PASSWORD, World, make_user
from tests.office.lifecycle import make_office
from tests.web.site_pages import build_site

PORTALS = ("/contractor/", "/bank/", "/account/", "/check/")

# Every box these portals scroll a table in, whether or not it overflows on this screen.
BOXES = ".table-scroll, .bank-scroll, .cl-scroll, .app-table-wrap, .acc-scroll"

# Each such box: its role, whether it takes the keyboard, the name Chromium announces it by.
BOX_MARKUP = """(selector) => Array.from(document.querySelectorAll('main ' + selector)).map(e => {
  const by = e.getAttribute('aria-labelledby');
  const named = by ? document.getElementById(by) : null;
  return {
    role: e.getAttribute('role'),
    tabindex: e.getAttribute('tabindex'),
    name: (e.getAttribute('aria-label') || (named ? named.textContent : '')).trim(),
  };
})"""


def fits(page: Any, path: str) -> list[str]:
    """What is wrong with the page on the phone, one line each (nothing: it fits)."""
    report = []
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > window:
        report.append(f"{path}: {width} px wide in a {window} px window: {page.evaluate(PAST_THE_EDGE)}")
    if outside := page.evaluate(CONTROLS_PAST_THE_EDGE):
        report.append(f"{path}: form controls past the edge: {outside}")
    if squeezed := page.evaluate(SQUEEZED_CELLS):
        report.append(f"{path}: text squeezed a few characters a line: {squeezed[:5]}")
    if broken := page.evaluate(BROKEN_DATES):
        report.append(f"{path}: dates broken over two lines: {broken[:5]}")
    for box in [*page.evaluate(SCROLLING_BOXES), *page.evaluate(BOX_MARKUP, BOXES)]:
        if not (box["tabindex"] == "0" and box["role"] == "group" and box["name"]):
            report.append(f"{path}: a box scrolls without a name or the keyboard: {box}")
    return report


def test_the_contractor_bank_and_account_pages_fit_a_phone(
    world: World, live_server: Any, new_page: Any, tmp_path: Path
) -> None:
    """保証申込一覧 was 655 px wide (the visually-hidden text of its cells escaped its box), 認証キー
    397 px, /check/ 392 px (its file input); the contractor's and the bank's boxes had no name."""
    site = in_a_thread(lambda: build_site(world))
    key_page = next(p for p in site.pages[world.contractor_user.username] if p.endswith("/key/"))
    extra = {world.contractor_user.username: [key_page + "send/"]}  # 発注者へ送信: not among build_site's pages
    report: list[str] = []
    seen: list[str] = []
    for username, paths in site.pages.items():
        ours = [p for p in [*paths, *extra.get(username or "", [])] if p.startswith(PORTALS)]
        if not ours:
            continue
        page = new_page()
        page.set_viewport_size(PHONE)
        if username is not None:
            login(page, live_server, username, PASSWORD)
        for path in ours:
            if "/print/" in path:  # an A4 sheet, on screen as on paper
                continue
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (username, path)
            report += fits(page, path)
            seen.append(path)
        if username is None:  # /check/ with its verdict: a PDF that esurety did not issue
            pdf = tmp_path / "other.pdf"
            pdf.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
            page.goto(live_server.url + "/check/")
            page.get_by_label("確認するPDFファイル").set_input_files(str(pdf))
            page.get_by_role("button", name="確認する", exact=True).click()
            page.wait_for_load_state("networkidle")
            assert page.locator(".check-result").count() == 1
            report += fits(page, "/check/ (確認結果)")
        assert not page.js_errors, page.js_errors
    assert not report, "\n".join(report)
    for path in ("/contractor/applications/", "/check/", "/bank/", "/bank/users/", "/account/members/", key_page):
        assert path in seen, sorted(seen)
    assert len(seen) >= 50, len(seen)


# The boxes on each page, by the names Chromium announces them by, in the order of the page.
NAMED_BOXES = {
    r"/contractor/": ["保証工事の一覧"],
    r"/contractor/statements/": ["保証料書類の一覧"],
    r"/contractor/applications/": ["保証申込の一覧"],
    r"/contractor/claims/": ["履行請求の一覧", "前払金の返還の一覧"],
    r"/contractor/claims/C\d+/": ["履行請求の内容の表", "保証契約の履歴の表"],
    r"/contractor/advances/": ["前払金専用口座の登録が必要な保証の一覧", "前払金専用口座の一覧"],
    r"/contractor/advances/withdrawals/": ["払出依頼書の一覧"],
    r"/contractor/advances/payees/": ["登録済みの支払先の一覧"],
    r"/contractor/guarantees/\d+/advance/": ["明細書の版の一覧", "使途ごとの払出状況の表", "払出依頼書の一覧"],
    r"/contractor/guarantees/\d+/advance/statement/": ["使途内訳の入力表", "添付した確認書類の一覧"],
    r"/contractor/guarantees/\d+/advance/statement/\d+/": ["使途内訳の表"],
    r"/contractor/guarantees/\d+/advance/withdrawals/upload/": ["CSVの項目の表", "この明細書の行の表"],
    r"/account/members/": ["利用者一覧"],
    r"/bank/": ["払出依頼の一覧"],
    r"/bank/accounts/": ["前払金専用口座の一覧"],
    r"/bank/accounts/\d+/": ["使途内訳と払出状況の表", "この口座の払出依頼の一覧", "この口座への入金の一覧"],
    r"/bank/users/": ["利用者一覧"],
    r"/bank/api-tokens/": ["発行済みのトークンの一覧"],
}

# The name of the box the keyboard is on (None: not on a box).

# How many presses of Tab from the top of a page may pass before every box has been reached.
TAB_STOPS = 200


def test_the_contractor_and_bank_boxes_take_the_keyboard_and_are_named(
    world: World, live_server: Any, new_page: Any
) -> None:
    site = in_a_thread(lambda: build_site(world))
    checked: set[str] = set()
    for username, paths in site.pages.items():
        if username is None:
            continue
        page = new_page()
        page.set_viewport_size(PHONE)
        logged_in = False
        for path in paths:
            pattern = next((p for p in NAMED_BOXES if re.fullmatch(p, path)), None)
            if pattern is None or pattern in checked:
                continue
            if not logged_in:
                login(page, live_server, username, PASSWORD)
                logged_in = True
            names = NAMED_BOXES[pattern]
            checked.add(pattern)
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            assert page.locator(f"main :is({BOXES})").count() == len(names), path
            # Each box is a group announced by what it holds (Chromium's accessibility tree, not the markup).
            for name in names:
                assert page.get_by_role("group", name=name, exact=True).count() == 1, (path, name)
            # The Tab key stops at every box, in the order of the page.
            reached = boxes_reached_by_tab(page, BOXES, expected=len(names), max_stops=TAB_STOPS)
            assert reached == names, (path, reached)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert not page.js_errors, page.js_errors
    assert checked == set(NAMED_BOXES), sorted(set(NAMED_BOXES) - checked)


# Each department row: where its fields are, and whether the names above them are shown.
DEPARTMENT_ROWS = """(box) => Array.from(box.querySelectorAll('tbody tr')).map(tr => {
  const at = e => {
    const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  };
  return {
    name: at(tr.querySelector('input[type=text]')),
    email: at(tr.querySelector('input[type=email]')),
    boxes: Array.from(tr.querySelectorAll('input[type=checkbox]')).map(at),
    labels: Array.from(tr.querySelectorAll('.stack-rows__label'))
      .filter(e => e.offsetParent !== null).map(e => e.textContent),
  };
})"""


def test_the_department_rows_are_cards_on_a_phone(world: World, live_server: Any, new_page: Any) -> None:
    """発注者の登録 (office) and 部署と通知先の変更 (orderer): on a phone each department is a card, its
    fields one under another with their names shown, all on the screen; on a desktop, a table row."""
    admin = in_a_thread(lambda: make_office(world).admin)
    make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    for username, path, name in (
        (admin.username, "/office/orderers/new/", "部署の入力表"),
        ("ordadmin", "/verify/organisation/departments/", "部署と通知先の入力表"),
    ):
        page = new_page()
        login(page, live_server, username, PASSWORD)
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            page.goto(live_server.url + path)
            box = page.get_by_role("group", name=name, exact=True)
            rows = box.evaluate(DEPARTMENT_ROWS)
            assert len(rows) >= 2, (path, rows)
            where = f"{viewport['width']} px {path}"
            if viewport is PHONE:
                # Nothing to scroll sideways: every field of every row is inside the box, on the screen.
                assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), (where, box.evaluate("e => e.scrollWidth"))
                right = box.evaluate("e => e.getBoundingClientRect().right")
                for row in rows:
                    assert max(f["right"] for f in [row["name"], row["email"], *row["boxes"]]) <= right, (where, row)
                    assert row["name"]["bottom"] <= row["email"]["top"] <= row["boxes"][0]["top"], (where, row)
                    assert row["labels"] == ["部署名", "メールアドレス", "受け付ける区分"], (where, row)
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where
            else:
                for row in rows:
                    assert row["name"]["top"] == row["email"]["top"] and not row["labels"], (where, row)
        assert not page.js_errors, page.js_errors


# Each read-only department row: where its three cells are, and the names shown above them.
READ_ONLY_ROWS = """(box) => Array.from(box.querySelectorAll('tbody tr')).map(tr => {
  const cells = Array.from(tr.querySelectorAll('td')).map(td => {
    const r = td.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, right: r.right};
  });
  return {
    cells,
    labels: Array.from(tr.querySelectorAll('.stack-rows__label'))
      .filter(e => e.offsetParent !== null).map(e => e.textContent),
  };
})"""


def test_the_read_only_department_lists_are_cards_on_a_phone_too(world: World, live_server: Any, new_page: Any) -> None:
    """登録済みの部署 (the office's 発注者の編集 once the orderer has its own 管理者), the office's 発注者
    page and the orderer's 組織情報 scrolled sideways in a box on a phone, while the pages that edit
    the departments show each one as a card: now each is a card on the phone, a row on a desktop."""
    admin = in_a_thread(lambda: make_office(world).admin)
    make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)  # the office may no longer edit them
    pk = world.orderer.pk
    for username, path, name, kinds in (
        (admin.username, f"/office/orderers/{pk}/edit/", "登録済みの部署の表", "受け付ける区分"),
        (admin.username, f"/office/orderers/{pk}/", "部署（お知らせの送信先）", "受け付ける区分"),
        ("ordadmin", "/verify/organisation/", "部署と通知先の表", "受け付ける認証キー等のお知らせ"),
    ):
        page = new_page()
        login(page, live_server, username, PASSWORD)
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            page.goto(live_server.url + path)
            box = page.get_by_role("group", name=name, exact=True)
            rows = box.evaluate(READ_ONLY_ROWS)
            assert len(rows) == 2, (path, rows)
            where = f"{viewport['width']} px {path}"
            if viewport is PHONE:
                assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), (where, box.evaluate("e => e.scrollWidth"))
                right = box.evaluate("e => e.getBoundingClientRect().right")
                for row in rows:
                    name_cell, email_cell, kinds_cell = row["cells"]
                    assert name_cell["bottom"] <= email_cell["top"] <= kinds_cell["top"], (where, row)
                    assert max(c["right"] for c in row["cells"]) <= right, (where, row)
                    assert row["labels"] == ["部署名", "メールアドレス", kinds], (where, row)
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where
            else:
                for row in rows:
                    assert len({c["top"] for c in row["cells"]}) == 1 and not row["labels"], (where, row)
        assert not page.js_errors, page.js_errors
