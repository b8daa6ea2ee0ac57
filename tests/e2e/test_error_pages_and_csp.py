"""Error pages and the Content-Security-Policy in Chromium: what a newcomer meets, nothing blocked.

The new_page fixture fails any test on a CSP violation; these tests visit the pages the
other flows do not (error pages, the API documentation, the admin) and show the check bites.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World


def test_a_contractor_following_the_office_link_gets_a_japanese_page_with_a_way_back(
    world: World, live_server: Any, new_page: Any
) -> None:
    page = new_page()
    login(page, live_server, world.contractor_user.username, PASSWORD)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="業務システムへ").click()
    page.wait_for_load_state("networkidle")
    assert page.title() == "ページが見つかりません | esurety"
    main = page.inner_text("main")
    assert "「業務システム（保証事業会社用）」のページです" in main
    assert_accessible(page)
    page.get_by_role("link", name="電子証書の確認（受注者用）のトップへ").click()
    page.wait_for_url(live_server.url + "/contractor/")
    assert not page.js_errors


def test_a_stale_form_gets_the_japanese_csrf_page_and_its_way_back_works(
    world: World, live_server: Any, new_page: Any
) -> None:
    page = new_page()
    page.goto(live_server.url + "/login/")
    # As after a login in another tab (which rotates the token): the form's token is stale.
    page.locator("input[name=csrfmiddlewaretoken]").evaluate("el => { el.value = 'x'.repeat(64); }")
    page.get_by_label("お客様ID").fill(world.contractor_user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")
    assert page.title() == "送信を受け付けられませんでした | esurety"
    assert "ページを開き直して" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("link", name="前の画面を開き直す").click()
    page.wait_for_url(live_server.url + "/login/")
    login(page, live_server, world.contractor_user.username, PASSWORD)
    assert page.url == live_server.url + "/contractor/"


def test_the_favicon_shows_in_the_browser(db: None, live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server.url + "/")
    size = page.evaluate(
        """async () => {
            const img = new Image();
            img.src = "/favicon.ico";
            await img.decode();
            return [img.naturalWidth, img.naturalHeight];
        }"""
    )
    assert size[0] >= 16 and size[0] == size[1]


def test_the_api_documentation_renders_under_the_policy(db: None, live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/verifications" in paths
    # Expanding an operation renders its schema and the "Try it out" form.
    page.locator(".opblock-summary-path", has_text="/api/v1/verifications").first.click()
    page.get_by_role("button", name="Try it out").wait_for()
    assert not page.js_errors


def test_the_admin_works_under_the_policy(admin_user: Any, live_server: Any, new_page: Any) -> None:
    page = new_page()
    login(page, live_server, admin_user.username, "password")
    assert page.url == live_server.url + "/admin/"
    page.goto(live_server.url + "/admin/parties/user/")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/admin/parties/user/add/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#user_form").count() == 1
    assert not page.js_errors


def test_an_inline_script_is_blocked_and_reported(db: None, live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server.url + "/login/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.injected = true";
                document.body.appendChild(s);
            }"""
        )
    assert page.evaluate("() => window.injected === undefined")
    assert page.csp_violations and "script-src" in page.csp_violations[0]
    page.csp_violations.clear()  # expected here; any other one fails the test
