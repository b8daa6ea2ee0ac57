"""Both home pages in Chromium under the strict Content-Security-Policy: charts visible, axe clean.

The policy is added to every response by the browser test itself (the site-wide
header comes with another change): no inline style or script may be needed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.utils import timezone

from esurety.core.kinds import DeliveryMethod, GuaranteeKind
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees import services
from esurety.parties.models import Branch, Role
from esurety.verification import services as verification
from tests.e2e.conftest import assert_accessible, login
from tests.factories import PASSWORD, World, make_guarantee, make_user

CSP = "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"


def under_csp(page: Any) -> list[str]:
    """Serve every page (GET of a document) with the policy; return where the browser's CSP complaints go.

    Call it once logged in: the documents it serves again carry no Set-Cookie of their own.
    """
    complaints: list[str] = []

    def add_policy(route: Any) -> None:
        if route.request.resource_type != "document" or route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})

    page.route("**/*", add_policy)
    page.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    return complaints


def chart_is_drawn(page: Any, chart_id: str) -> None:
    """Bars with their pattern fill and axis text in the stylesheet's size: the chart shows as designed."""
    figures = page.evaluate(
        """(id) => {
            const svg = document.getElementById(id);
            const box = svg.getBoundingClientRect();
            const bar = svg.querySelector('.series rect, .series path.line, .series circle.dot');
            const text = svg.querySelector('.axis text');
            return {
                width: box.width, height: box.height,
                bar: bar ? bar.getBoundingClientRect().height + bar.getBoundingClientRect().width : 0,
                fill: bar ? getComputedStyle(bar).fill : '',
                fontSize: text ? getComputedStyle(text).fontSize : '',
                guide: getComputedStyle(svg.querySelector('.guide.line')).strokeDasharray,
            };
        }""",
        chart_id,
    )
    assert figures["width"] > 500 and figures["height"] > 150, figures
    assert figures["bar"] > 0 and figures["fill"] not in ("", "rgb(0, 0, 0)"), figures
    assert figures["fontSize"] == "13px" and figures["guide"] != "none", figures


def test_staff_home_under_csp(world: World, live_server: Any, new_page: Any) -> None:
    admin = make_user("honsha", surety=world.surety, role=Role.SURETY_ADMIN)
    advance = make_guarantee(world)
    make_guarantee(world, work_name="書面の工事", delivery_method=DeliveryMethod.PAPER)
    make_guarantee(
        world,
        kind=GuaranteeKind.PERFORMANCE,
        guaranteed_amount=10_000_000,
        deposit_bank="",
        advance_guarantee_number=advance.number,
    )
    dashboard_figures_refresh(now=timezone.now())
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)
    assert page.url.endswith("/office/home/")
    complaints = under_csp(page)
    page.reload()
    assert page.evaluate("document.querySelector('link[rel=stylesheet]') !== null")
    for chart_id in ("chart-conclusions", "chart-electronic-rate", "chart-orderers", "chart-premiums"):
        chart_is_drawn(page, chart_id)
    page.get_by_text("表で見る").nth(1).click()
    assert page.get_by_role("table", name="保証契約の締結件数（月別・区分別）").is_visible()
    assert_accessible(page)
    assert not complaints, complaints
    assert not page.js_errors


def test_orderer_home_under_csp(world: World, live_server: Any, new_page: Any) -> None:
    admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    g = make_guarantee(world)
    # The notice is a signed PDF, and signing runs its own event loop: not in Playwright's thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            verification.notice_dispatch_send, guarantee=g, by=world.contractor_user, now=timezone.now()
        ).result()
    key = services.access_key_plain(guarantee=g)
    assert key is not None
    verification.certificate_verify(
        user=world.orderer_user, number=g.number, key=key, client_ip="192.0.2.10", now=timezone.now()
    )
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)
    assert page.url.endswith("/verify/home/")
    complaints = under_csp(page)
    page.reload()
    for chart_id in ("chart-states", "chart-intake", "chart-departments"):
        chart_is_drawn(page, chart_id)
    assert_accessible(page)
    assert not complaints, complaints
    assert not page.js_errors


# How a select is drawn: what sets it apart from the browser's default one.
SELECT_LOOK = """(select) => {
  const s = getComputedStyle(select);
  const box = select.getBoundingClientRect();
  return {
    look: [s.borderTopWidth, s.borderTopStyle, s.borderTopColor, s.borderRadius, s.paddingLeft, s.fontSize].join(' '),
    right: box.right,
  };
}"""


def test_the_staff_home_branch_select_looks_like_every_office_filter_on_a_desktop_and_a_phone(
    world: World, live_server: Any, new_page: Any
) -> None:
    """The home page's 取次場所 was the browser's default select beside the office's styled ones."""
    admin = make_user("honsha", surety=world.surety, role=Role.SURETY_ADMIN)
    Branch.objects.create(
        surety=world.surety, name="徳島支店 鳴門出張所（県北部の取次場所）", address="鳴門市", tel="088-000-0000"
    )
    page = new_page()
    login(page, live_server, admin.username, PASSWORD)
    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(viewport)
        looks = {}
        for path in ("/office/home/", "/office/"):  # the home page, and 申込審査's filter by 取次場所
            page.goto(live_server.url + path)
            select = page.get_by_label("取次場所", exact=True)
            select.select_option(label="徳島支店 鳴門出張所（県北部の取次場所）")
            looks[path] = select.evaluate(SELECT_LOOK)
            assert looks[path]["right"] <= viewport["width"], (viewport, path, looks[path])
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (viewport, path)
        assert looks["/office/home/"]["look"] == looks["/office/"]["look"], (viewport, looks)
        assert looks["/office/home/"]["look"].startswith("1px solid rgb(138, 146, 156) 4px"), looks
    assert not page.js_errors
