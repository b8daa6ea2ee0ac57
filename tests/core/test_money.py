from __future__ import annotations

import pytest

from esurety.core.money import floor_to_unit, format_yen, fraction_of


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1,000"),
        (40_000_000, "40,000,000"),
        (100_000_000, "100,000,000"),
        (49_300_001, "49,300,001"),
        (None, ""),
    ],
)
def test_format_yen(amount: int | None, text: str) -> None:
    assert format_yen(amount) == text


def test_floor_to_unit_cuts_below_100000() -> None:
    assert floor_to_unit(49_382_715, 100_000) == 49_300_000
    assert floor_to_unit(49_300_000, 100_000) == 49_300_000
    assert floor_to_unit(99_999, 100_000) == 0
    with pytest.raises(ValueError):
        floor_to_unit(1, 0)


def test_fraction_of_is_exact_integer_arithmetic() -> None:
    # A float would give 0.30000000000000004 × 10 … here it must be exact.
    assert fraction_of(123_456_789, 4, 10) == 49_382_715
    assert fraction_of(10**15 + 7, 3, 10) == 300_000_000_000_002
