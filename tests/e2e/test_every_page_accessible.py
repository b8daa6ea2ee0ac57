"""Every page of every portal, as its users open it in Chromium at 1280×800: axe-core finds no
violation of any impact, nothing scrolls sideways, no 2–4 character column header breaks over
two lines and no date or short value (区分, 取次場所) in a cell breaks over two. Also the pages a
form answers with its errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections

from esurety.documents import pdf
from esurety.guarantees.models import Guarantee
from tests.e2e.conftest import BROKEN_DATES, axe_violations, login
from tests.factories import PASSWORD, World
from tests.web.site_pages import Site, build_site, small_pages  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("small_pages")]

VIEWPORT = {"width": 1280, "height": 800}

# The text a sighted reader sees in a header (not what is there for screen readers only).
VISIBLE_TEXT = """const visibleText = (th) => {
  const copy = th.cloneNode(true);
  copy.querySelectorAll('.visually-hidden').forEach(el => el.remove());
  return copy.textContent.replace(/\\s+/g, '');
};"""

# Column headers of 2–4 characters (区分, 申込番号, 受取方法) whose text takes more than one line.
WRAPPED_SHORT_HEADERS = (
    "() => { "
    + VISIBLE_TEXT
    + """ return Array.from(document.querySelectorAll('th')).filter(th => {
  const text = visibleText(th);
  if (text.length < 2 || text.length > 4 || !th.offsetParent) return false;
  const range = document.createRange();
  range.selectNodeContents(th);
  const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
  return lines.size > 1;
}).map(th => th.textContent.trim()); }"""
)

# [text, height of its text, line height] of each 2–4 character column header.
SHORT_HEADER_HEIGHTS = (
    "() => { "
    + VISIBLE_TEXT
    + """ return Array.from(document.querySelectorAll('th')).filter(th => {
  const text = visibleText(th);
  return text.length >= 2 && text.length <= 4 && th.offsetParent;
}).map(th => {
  const range = document.createRange();
  range.selectNodeContents(th);
  return [th.textContent.trim(), range.getBoundingClientRect().height, parseFloat(getComputedStyle(th).lineHeight)];
}); }"""
)

# Cells of a short value (区分 中間前払, 取次場所 大塚支店, 受取方法 電子交付: 2–5 characters, nothing but
# text) whose text takes two lines (中間前 / 払) at a desktop's width.
BROKEN_SHORT_VALUES = """() => Array.from(document.querySelectorAll('main td')).filter(cell => cell.offsetParent
    && !cell.querySelector('input, button, select, textarea, br, ul, p, div'))
  .map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    return [cell.innerText.replace(/\\s+/g, ''), tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length];
  })
  .filter(([text, lines]) => lines > 1 && text.length >= 2 && text.length <= 5)
  .map(([text]) => text)"""

# The pages a form answers with: (user, page, button), the form sent empty or as it stands.
FORM_ERRORS = [
    (None, "/login/", "ログイン"),
    (None, "/signup/", "申し込む"),
    (None, "/password-reset/", "再設定のメールを送信"),
    ("alice", "/contractor/applications/new/", "申込む"),
    ("alice", "/account/members/", "招待メールを送信"),
    ("alice", "/contractor/guarantees/{number}/advance/", "口座を登録する"),
    ("alice", "/contractor/advances/payees/", "登録する"),
    ("ordadmin", "/verify/", "確認する"),
    ("suretyadmin", "/office/orderers/new/", "登録する"),
    ("clerk", "/office/guarantees/{number}/amend/", "変更申請を登録する"),
]


def site_outside_the_event_loop(world: World) -> Site:
    """build_site in a thread of its own: Playwright's sync API keeps an asyncio loop running in
    this one, and the PDFs signed on the way (pyHanko) start a loop of their own."""

    def build() -> Site:
        try:
            return build_site(world)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(build).result()


def problems_on(page: Any) -> list[str]:
    found = axe_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > VIEWPORT["width"]:
        found.append(f"scrolls sideways: {width}px wide")
    found += [f"header on two lines: {text}" for text in page.evaluate(WRAPPED_SHORT_HEADERS)]
    found += [f"date on two lines: {text}" for text in page.evaluate(BROKEN_DATES)]
    found += [f"short value on two lines: {text}" for text in page.evaluate(BROKEN_SHORT_VALUES)]
    return found


def test_every_page_as_its_users(world: World, live_server: Any, new_page: Any) -> None:
    site = site_outside_the_event_loop(world)
    report: list[str] = []
    pages_seen = 0
    for username, paths in site.pages.items():
        page = new_page()
        page.set_viewport_size(VIEWPORT)
        if username is not None:
            login(page, live_server, username, PASSWORD)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, f"{username}: {path}"
            pages_seen += 1
            report += [f"{username or 'anonymous'} {path}: {p}" for p in problems_on(page)]
        assert not page.js_errors, page.js_errors
    assert pages_seen > 80
    assert not report, "\n".join(report)


def test_pages_with_form_errors(world: World, live_server: Any, new_page: Any) -> None:
    site_outside_the_event_loop(world)
    number = Guarantee.objects.filter(status="ACTIVE").order_by("pk").values_list("number", flat=True)[0]
    report: list[str] = []
    pages: dict[str | None, Any] = {}
    for username, path, button in FORM_ERRORS:
        if username not in pages:
            pages[username] = new_page()
            pages[username].set_viewport_size(VIEWPORT)
            if username is not None:
                login(pages[username], live_server, username, PASSWORD)
        page = pages[username]
        page.goto(live_server.url + path.format(number=number))
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[aria-invalid=true], [role=alert]").count() > 0, f"{path}: no error shown"
        report += [f"{username or 'anonymous'} {path} (errors): {p}" for p in problems_on(page)]
    assert not report, "\n".join(report)


def test_document_check_result(world: World, live_server: Any, new_page: Any, tmp_path: Any) -> None:
    """書類の真正性確認 answering an upload: the verdict and its table."""
    site_outside_the_event_loop(world)
    certificate = Guarantee.objects.order_by("pk")[0].certificates.get(version=1)
    with ThreadPoolExecutor(max_workers=1) as pool:  # signing runs an asyncio loop of its own
        data = pool.submit(pdf.certificate_copy_pdf, certificate=certificate).result()
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    page = new_page()
    page.set_viewport_size(VIEWPORT)
    page.goto(live_server.url + "/check/")
    page.get_by_label("確認するPDFファイル").set_input_files(str(path))
    page.get_by_role("button", name="確認する", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "esurety で発行した書類そのものです" in page.inner_text("main")
    assert not problems_on(page), problems_on(page)


def test_office_guarantee_page_fits_1280_with_headers_on_one_line(
    world: World, live_server: Any, new_page: Any
) -> None:
    """The 保証契約 page with every block filled (versions, keys, a pending change, receipts, premiums)."""
    site_outside_the_event_loop(world)
    page = new_page()
    page.set_viewport_size(VIEWPORT)
    login(page, live_server, world.approver.username, PASSWORD)
    numbers = list(Guarantee.objects.filter(surety=world.surety).values_list("number", flat=True))
    assert len(numbers) >= 4
    for number in numbers:
        page.goto(f"{live_server.url}/office/guarantees/{number}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, number
        # Every short header is exactly one line high: its text box is as tall as one line of its font.
        heights = page.evaluate(SHORT_HEADER_HEIGHTS)
        assert heights, number
        for text, height, line_height in heights:
            assert height <= line_height * 1.2, f"{number}: {text} is {height}px high, a line is {line_height}px"


def test_orderer_print_page_is_the_orderers_record(world: World, live_server: Any, new_page: Any) -> None:
    """On screen and on paper the orderer's print says 発注者控え, never the contractor's 提出不可."""
    site_outside_the_event_loop(world)
    page = new_page()
    login(page, live_server, "ordadmin", PASSWORD)
    page.goto(live_server.url + "/verify/received/")
    number = page.locator("table a[href^='/verify/certificates/']").first.inner_text().strip()
    page.goto(f"{live_server.url}/verify/certificates/{number}/print/")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        text = page.inner_text("body")
        assert "発注者控え（徳島市上下水道事業管理者 閲覧記録）" in text
        assert "提出不可" not in text
        watermark = page.evaluate("getComputedStyle(document.querySelector('.sheet'), '::before').content")
        assert watermark == '"発注者控え"', media
    page.emulate_media(media="screen")
    # The contractor's own print keeps its 閲覧用控え（提出不可） watermark.
    contractor = new_page()
    login(contractor, live_server, world.contractor_user.username, PASSWORD)
    contractor.goto(f"{live_server.url}/contractor/guarantees/{number}/print/")
    assert (
        contractor.evaluate("getComputedStyle(document.querySelector('.sheet'), '::before').content")
        == '"閲覧用控え（提出不可）"'
    )
