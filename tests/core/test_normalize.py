"""What people type or paste for numbers and keys reaches one canonical form."""

from __future__ import annotations

import pytest

from esurety.core.normalize import normalize_access_key, normalize_guarantee_number, normalize_search_text


@pytest.mark.parametrize(
    "raw",
    [
        "2070004426",
        "２０７０００４４２６",  # 全角 digits
        "2070 004426",
        "２０７０　００４４２６",  # 全角 space
        " 2070004426\n",
        "2070-004-426",
        "２０７０－００４４２６",  # 全角 hyphen-minus
        "2070ー004426",  # katakana long sound mark, a common mistype of a hyphen
        "2070‐004426",  # U+2010 hyphen
        "2070−004426",  # U+2212 minus sign
        "2070–004426",  # en dash
        "２０７０ｰ００４４２６",  # half-width katakana long sound mark
    ],
)
def test_guarantee_number_variants(raw: str) -> None:
    assert normalize_guarantee_number(raw) == "2070004426"


@pytest.mark.parametrize(
    "raw",
    [
        "ACE34679FG",
        "ace34679fg",  # lowercase
        "ＡＣＥ３４６７９ＦＧ",  # 全角 letters and digits
        "ａｃｅ３４６７９ｆｇ",  # 全角 lowercase
        "ACE34-679FG",
        "ACE34　679 FG",  # 全角 and half-width spaces
        "ＡＣＥ３４－６７９ＦＧ",
        "ace34ー679fg",
    ],
)
def test_access_key_variants(raw: str) -> None:
    assert normalize_access_key(raw) == "ACE34679FG"


def test_empty_input() -> None:
    assert normalize_access_key("") == ""
    assert normalize_guarantee_number("　 - ") == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ﾄﾝﾈﾙ", "△△トンネル工事"),  # half-width カナ typed, full-width stored
        ("トンネル", "ﾄﾝﾈﾙ照明更新工事"),  # and the other way round
        ("ﾄﾞｳﾛ", "ドウロ改良"),  # a voiced mark typed as its own half-width character
        ("ＡＢＣ", "ABC橋梁補修工事"),  # 全角 letters typed
        ("ABC", "ＡＢＣ橋梁補修工事"),
        ("abc", "ABC橋梁補修工事"),  # case does not matter (PostgreSQL and SQLite agree)
        ("第１工区", "第1工区道路工事"),
        ("道路 改良", "〇〇道路改良工事"),  # spaces do not matter
        ("道路改良", "〇〇道路　改良工事"),
        ("(株)", "㈱〇〇建設"),
    ],
)
def test_search_text_folds_the_query_and_the_stored_text_alike(typed: str, stored: str) -> None:
    assert normalize_search_text(typed) in normalize_search_text(stored)


def test_search_text_keeps_what_distinguishes_words() -> None:
    assert normalize_search_text("トンネル") != normalize_search_text("トンネリ")
    assert normalize_search_text("ー") == "ー"  # the long vowel mark is part of katakana words
    assert normalize_search_text("ﾄﾝﾈﾙ") == "トンネル"
    assert normalize_search_text("ＡＢＣ") == "abc"
