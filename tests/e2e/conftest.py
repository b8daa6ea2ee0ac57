"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (scripts/system-deps.sh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]

# Playwright's sync API runs an event loop in the test thread; the test's own
# ORM calls (building data, checking results) are still plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (scripts/system-deps.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def csp_violation(text: str) -> bool:
    """Chromium's console report of something the Content-Security-Policy blocked."""
    return "Content Security Policy" in text


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context per user; pages accept downloads.

    Any Content-Security-Policy violation in any page of the test (an inline script,
    an on*= handler, a style="" attribute that crept into a template) fails the test.
    """
    contexts: list[Any] = []
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if csp_violation(message.text):
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make() -> Any:
        context = browser.new_context(locale="ja-JP", accept_downloads=True, viewport={"width": 1366, "height": 900})
        context.on("console", on_console)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        page.csp_violations = violations
        return page

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Log in through the real login form, as a person would."""
    page.goto(live_server.url + "/login/")
    page.get_by_label("お客様ID").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")


# The name of the focused element if it is one of the boxes (a CSS selector), else null.
FOCUSED_BOX = """(boxes) => {
  const e = document.activeElement;
  if (!e.matches(boxes)) return null;
  const by = e.getAttribute('aria-labelledby');
  return e.getAttribute('aria-label') || (by ? document.getElementById(by).textContent.trim() : '?');
}"""


# Cells holding just a date or a moment (令和9年8月7日, 2026/12/02 16:45) whose text takes two lines:
# a date read in pieces (令和9年8月7 / 日) at a desktop's width, or a phone's.
BROKEN_DATES = """() => Array.from(document.querySelectorAll('main td, main dd')).filter(cell => cell.offsetParent)
  .map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    return [cell.innerText.trim(), tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length];
  })
  .filter(([text, lines]) => lines > 1
    && /^(令和\\d+年\\d+月\\d+日|\\d{4}\\/\\d\\d\\/\\d\\d( \\d\\d:\\d\\d(:\\d\\d)?)?)$/.test(text))
  .map(([text]) => text)"""


# Each date, moment or amount (令和9年10月17日, 2026/12/02 16:45, 149,840,000円, 40,000,000 円) inside the
# text of main that takes two lines (令和9 / 年10月17日, 149,840,000 / 円), whatever else its cell holds.
BROKEN_VALUES = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.parentElement || !node.parentElement.offsetParent) continue;
    for (const m of node.textContent.matchAll(/令和\d+年\d+月\d+日|\d{4}\/\d\d\/\d\d( \d\d:\d\d)?|\d[\d,]*\d ?円/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) found.push(m[0]);
    }
  }
  return found;
}"""


def boxes_reached_by_tab(page: Any, boxes: str, *, expected: int, max_stops: int) -> list[str]:
    """Press Tab from where the focus is, up to max_stops times: the names of the boxes (a CSS
    selector) it stops at, in order, until it has reached ``expected`` of them."""
    reached: list[str] = []
    for _ in range(max_stops):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_BOX, boxes)
        if focused:
            reached.append(focused)
        if len(reached) == expected:
            break
    return reached


def axe_violations(page: Any) -> list[str]:
    """Every axe-core violation on the page, of any impact, one line each.

    axe's default rule set: WCAG 2.0/2.1 A and AA (JIS X 8341-3 AA) and its best
    practices (every content in a landmark, unique landmark names, heading order...).
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def assert_accessible(page: Any) -> None:
    """axe-core finds no violation at all on the page, whatever its impact.

    It waits for the page to load first: a click on a link returns once the navigation has
    started, and axe run on a half-parsed document judges a page no user sees."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert not violations, f"{page.url}: " + " | ".join(violations)


def pdf_text(path: str) -> str:
    import subprocess

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("needs poppler-utils")
    return subprocess.run([pdftotext, "-layout", path, "-"], check=True, capture_output=True, text=True).stdout
