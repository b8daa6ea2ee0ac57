"""The one policy for crafted input: business dates, refused characters, integers from a URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from esurety.core.dates import FIRST_BUSINESS_DAY, LAST_BUSINESS_DAY, business_date_error
from esurety.core.normalize import is_guarantee_number, is_statement_number, parse_ascii_int
from esurety.core.text import TextValidator, text_error
from esurety.core.wareki import era_of, format_wareki


def test_the_business_range_is_2000_to_2099_and_inside_the_era_table() -> None:
    assert (FIRST_BUSINESS_DAY, LAST_BUSINESS_DAY) == (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
    assert era_of(FIRST_BUSINESS_DAY) == ("平成", 12)
    assert era_of(LAST_BUSINESS_DAY) == ("令和", 81)
    assert business_date_error(FIRST_BUSINESS_DAY) is None
    assert business_date_error(LAST_BUSINESS_DAY) is None
    assert (
        business_date_error(dt.date(1800, 1, 1), label="契約締結日")
        == "契約締結日は2000年1月1日から2099年12月31日までの日付にしてください。"
    )
    assert business_date_error(dt.date(9999, 12, 31)) is not None
    assert business_date_error(dt.date(1999, 12, 31)) is not None
    assert business_date_error(dt.date(2100, 1, 1)) is not None


@given(st.dates())
def test_any_date_prints_without_an_error(day: dt.date) -> None:
    """A page showing a stored date must open whatever the date is."""
    assert str(day.day) in format_wareki(day)
    assert str(day.day) in format_wareki(day, padded=False)


def test_dates_outside_the_era_table_or_the_range_print_in_the_western_calendar() -> None:
    assert format_wareki(dt.date(1800, 1, 1)) == "1800年 1月 1日"
    assert format_wareki(dt.date(1, 1, 1), padded=False) == "1年1月1日"
    # Not 「令和7981年」.
    assert format_wareki(dt.date(9999, 12, 31), padded=False) == "9999年12月31日"
    assert format_wareki(dt.date(2099, 12, 31), padded=False) == "令和81年12月31日"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("工事\x00", "NUL文字 U+0000"),
        ("〇〇\u202e工事", "文字の向きを変える制御文字 U+202E"),
        ("〇〇\u2066工事", "文字の向きを変える制御文字 U+2066"),
        ("〇〇\u200b工事", "幅のない文字 U+200B"),
        ("〇〇\ufeff工事", "幅のない文字 U+FEFF"),
        ("〇〇\x1b[31m", "制御文字 U+001B"),
        ("〇〇\x85", "制御文字 U+0085"),
        ("一行目\n二行目", "改行 U+000A"),
    ],
)
def test_refused_characters_are_named(value: str, named: str) -> None:
    message = text_error(value)
    assert message is not None
    assert named in message
    assert message.endswith("削除してから入力してください。")


def test_ordinary_japanese_text_passes_and_line_breaks_only_where_several_lines_are_allowed() -> None:
    for value in ("〇〇道路改良工事（第２工区）", "株式会社△△工務店", "Ａ－１　𠮷野家\t", "令和8年4月10日", ""):
        assert text_error(value) is None
    assert text_error("一行目\r\n二行目", multiline=True) is None
    assert text_error("一行目\u2028二行目", multiline=True) is not None
    with pytest.raises(ValidationError):
        TextValidator()("a\u202eb")
    TextValidator(multiline=True)("a\nb")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("0", 0), ("²", None), ("᧚", None), ("１２", None), ("-1", None), ("", None), (None, None)],
)
def test_parse_ascii_int(raw: str | None, expected: int | None) -> None:
    assert parse_ascii_int(raw) == expected


def test_parse_ascii_int_refuses_long_numbers_instead_of_failing() -> None:
    assert parse_ascii_int("9" * 5000) is None  # int() itself refuses more than 4,300 digits
    assert parse_ascii_int("9" * 19) is None
    assert parse_ascii_int("9" * 18) == 10**18 - 1


def test_numbers_worth_looking_up() -> None:
    assert is_guarantee_number("2070004426")
    for text in ("207000442", "20700044260", "２０７０００４４２６", "2070004426\x00", ""):
        assert not is_guarantee_number(text)
    assert is_statement_number("R2070004426-1") and is_statement_number("H2070004426-12")
    assert not is_statement_number("R2070004426-1\x00") and not is_statement_number("x" * 300)
