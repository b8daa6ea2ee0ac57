"""A button drawn as a link (CSVで保存, CSVで出力) and a real <button> (検索) side by side are one
height: a <button> does not inherit the body's line height, and only the secondary style had a
border, so the link stood a third taller than the button beside it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login
from tests.factories import PASSWORD, World

HEIGHTS = """(names) => names.map(name => {
  const el = Array.from(document.querySelectorAll('main .button')).find(b => b.textContent.trim() === name);
  return el ? el.getBoundingClientRect().height : null;
})"""


@pytest.mark.parametrize("width", [1366, 390])
def test_search_and_csv_buttons_are_one_height(world: World, live_server: Any, new_page: Any, width: int) -> None:
    cases = [
        ("orderer", "/verify/received/", ["検索", "CSVで保存"]),
        ("clerk", "/office/audit/", ["検索", "CSVで出力"]),
    ]
    for username, path, names in cases:
        page = new_page()
        page.set_viewport_size({"width": width, "height": 844})
        login(page, live_server, username, PASSWORD)
        page.goto(live_server.url + path)
        button, link = page.evaluate(HEIGHTS, names)
        assert button and link, f"{path}: {names} not found"
        assert abs(button - link) <= 1, f"{path} at {width}px: {names[0]} {button}px, {names[1]} {link}px"
