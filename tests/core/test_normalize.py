"""What people type or paste for numbers and keys reaches one canonical form."""

from __future__ import annotations

import pytest

from esurety.core.normalize import normalize_access_key, normalize_guarantee_number


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
