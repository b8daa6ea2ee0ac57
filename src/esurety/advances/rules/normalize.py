"""Normalisation of what people type: names, digits, account numbers, 口座名義 in kana."""

from __future__ import annotations

import re
import unicodedata

from esurety.advances.rules.terms import UNDECIDED_WORDS

_SPACES = re.compile(r"\s+")
_DIGITS_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－_]+")
# 口座名義 in the characters banks' transfer files accept; small kana are written large there.
_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


def normalize_name(raw: str) -> str:
    """NFKC, trimmed, inner runs of spaces as one: 「株式会社　△△資材」 and its half-width twin match."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()


def normalize_payee_name(raw: str) -> str:
    """A line's payee: 「未定」 or nothing is stored as the empty string."""
    name = normalize_name(raw)
    return "" if name in UNDECIDED_WORDS else name


def normalize_digits(raw: str) -> str:
    return _DIGITS_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))


def normalize_account_number(raw: str) -> str:
    """「１２３４５」 → 「0012345」: banks print account numbers as 7 digits."""
    digits = normalize_digits(raw)
    return digits.zfill(7) if digits.isascii() and digits.isdigit() and len(digits) <= 7 else digits


def normalize_kana(raw: str) -> str:
    """Half-width ｶ)ﾏﾙﾏﾙｹﾝｾﾂ → full-width カ)マルマルケンセツ, small kana large, latin upper-case."""
    text = unicodedata.normalize("NFKC", raw or "").upper().translate(_SMALL_KANA)
    return _SPACES.sub(" ", text.replace("\u3000", " ")).strip()
