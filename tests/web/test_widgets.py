"""Date inputs echo back only real dates, so a page answering bad input stays valid HTML."""

from __future__ import annotations

import datetime as dt

import pytest

from esurety.web.widgets import IsoDateInput


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 4, 10), "2026-04-10"),
        ("2026-04-10", "2026-04-10"),
        ("２０２６/４/１０", "2026-04-10"),
        ("2026年4月10日", "2026-04-10"),
        ("x", None),
        ("2026-13-01", None),
        ("", None),
        (None, None),
    ],
)
def test_value_is_a_real_date_or_nothing(value: object, shown: str | None) -> None:
    assert IsoDateInput().format_value(value) == shown


def test_renders_a_date_input_without_a_bad_value() -> None:
    html = IsoDateInput().render("date_from", "x")
    assert 'type="date"' in html and "value=" not in html
