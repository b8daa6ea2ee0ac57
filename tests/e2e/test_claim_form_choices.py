"""The claim form's 解除の事由: each radio sits on the line of its own label, as every other choice in
the portals, not alone on a line above a bold label that reads like the next field's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.claims.helpers import receive
from tests.e2e.conftest import login
from tests.factories import PASSWORD, World, make_guarantee

pytestmark = [pytest.mark.e2e]

CHOICES = """() => Array.from(document.querySelectorAll('.cl-choice')).map(choice => {
  const radio = choice.querySelector('input[type=radio]').getBoundingClientRect();
  const label = choice.querySelector('label');
  const box = label.getClientRects()[0];  // its first line, when a long reason wraps on a phone
  return [label.textContent.trim(), Math.abs((radio.top + radio.bottom) / 2 - (box.top + box.bottom) / 2),
          radio.right <= box.left, getComputedStyle(label).fontWeight];
})"""


@pytest.mark.parametrize("width", [1366, 390])
def test_each_reason_beside_its_radio(world: World, live_server: Any, new_page: Any, width: int) -> None:
    g = make_guarantee(world)
    receive(world, g)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 844})
    login(page, live_server, "orderer", PASSWORD)
    page.goto(f"{live_server.url}/verify/certificates/{g.number}/claim/")
    choices = page.evaluate(CHOICES)
    assert len(choices) >= 4
    for label, offset, beside, weight in choices:
        assert beside and offset < 12, f"{label}: not beside its radio at {width}px"
        assert weight == "400", f"{label}: drawn in weight {weight}, like a field's label"
