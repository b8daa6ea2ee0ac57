"""和暦 at the era boundaries, in the seed's padded form and the plain form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from esurety.core.wareki import era_of, format_wareki


@pytest.mark.parametrize(
    ("day", "era", "year"),
    [
        (dt.date(1989, 1, 7), "昭和", 64),
        (dt.date(1989, 1, 8), "平成", 1),
        (dt.date(2019, 4, 30), "平成", 31),
        (dt.date(2019, 5, 1), "令和", 1),
        (dt.date(2026, 4, 1), "令和", 8),
    ],
)
def test_era_of_at_boundaries(day: dt.date, era: str, year: int) -> None:
    assert era_of(day) == (era, year)


@pytest.mark.parametrize(
    ("day", "plain"),
    [
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2026, 4, 1), "令和8年4月1日"),
    ],
)
def test_plain_format(day: dt.date, plain: str) -> None:
    assert format_wareki(day, padded=False) == plain


@pytest.mark.parametrize(
    ("day", "padded"),
    [
        # Exactly as the seed's certificate prints its dates.
        (dt.date(2022, 5, 10), "令和 4年 5月 10日"),
        (dt.date(2023, 3, 31), "令和 5年 3月 31日"),
        (dt.date(2026, 4, 1), "令和 8年 4月 1日"),
        (dt.date(2019, 4, 30), "平成 31年 4月 30日"),
        (dt.date(1989, 1, 7), "昭和 64年 1月 7日"),
        (dt.date(2019, 5, 1), "令和 元年 5月 1日"),
        (dt.date(1989, 1, 8), "平成 元年 1月 8日"),
    ],
)
def test_padded_format(day: dt.date, padded: str) -> None:
    assert format_wareki(day) == padded


def test_before_meiji_is_refused() -> None:
    with pytest.raises(ValueError, match="1868-10-22"):
        era_of(dt.date(1868, 10, 22))


def test_none_prints_nothing() -> None:
    assert format_wareki(None) == ""


def test_template_filters() -> None:
    rendered = Template("{% load esurety %}{{ d|wareki }}|{{ d|wareki_short }}|{{ d|slashdate }}|{{ n|yen }}").render(
        Context({"d": dt.date(2026, 4, 1), "n": 40_000_000})
    )
    assert rendered == "令和 8年 4月 1日|令和8年4月1日|2026/04/01|40,000,000"


def test_template_filters_show_a_timestamp_on_its_tokyo_date() -> None:
    # 16:00 UTC on 31 March is already 1 April (令和8年度) in Tokyo.
    at = dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)
    rendered = Template("{% load esurety %}{{ t|wareki }}|{{ t|wareki_short }}").render(Context({"t": at}))
    assert rendered == "令和 8年 4月 1日|令和8年4月1日"
