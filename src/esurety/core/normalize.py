"""Normalisation of what people type: numbers and keys, and search text.

A clerk copies 「２０７０ ００４４２６」 from a PDF or types the key in
full-width; both must work. NFKC folds full-width to half-width; then
case, spaces and every kind of hyphen/dash are dropped.

Names and 工事名 arrive typed every which way too: ﾄﾝﾈﾙ in half-width カナ
from an old system, ＡＢＣ in 全角 from an IME, a space here or there. A
search compares both sides folded the same way (``normalize_search_text``):
the stored side in a column of its own (``core.fields.SearchTextField``), so
that the database's trigram index serves it, the query as typed.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ_]+")
_SPACES = re.compile(r"\s+")


def normalize_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = _SEPARATORS.sub("", text)
    return text.upper()


def normalize_guarantee_number(raw: str) -> str:
    return normalize_code(raw)


def normalize_access_key(raw: str) -> str:
    return normalize_code(raw)


def normalize_search_text(raw: str) -> str:
    """The form in which 工事名 and names are stored for search, and queries compared.

    NFKC: half-width カナ → full-width (ﾄﾝﾈﾙ → トンネル, ﾄﾞ → ド), 全角 letters and
    digits → half-width (ＡＢＣ１ → ABC1), ㈱ → (株). Then lower case, so that
    PostgreSQL (case-sensitive LIKE) and SQLite (case-insensitive for ASCII)
    agree, and no spaces at all: 「道路 改良」 and 「道路改良」 are the same works.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    return _SPACES.sub("", text).lower()


_ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_ascii_int(raw: str | None, *, max_digits: int = 18) -> int | None:
    """'12' -> 12; None for anything else.

    str.isdigit() is true for 「²」 and 「᧚」, which int() refuses, and int()
    refuses more than 4,300 digits: a value from a URL or a file is read here,
    as ASCII digits of a bounded length, never with isdigit() + int().
    """
    if raw is None or len(raw) > max_digits or not _ASCII_DIGITS.fullmatch(raw):
        return None
    return int(raw)


_GUARANTEE_NUMBER = re.compile(r"[0-9]{10}")
# 保証料の書類: R2070004426-1 (領収書) or a refund statement's prefix, the number and a counter.
_STATEMENT_NUMBER = re.compile(r"[A-Z]{1,3}[0-9]{10}-[0-9]{1,5}")


def is_guarantee_number(text: str) -> bool:
    """A normalised 保証契約番号: exactly ten ASCII digits.

    A lookup by anything else finds nothing, so a selector answers "not found" before the
    database sees it (PostgreSQL refuses a NUL from a crafted URL with an error).
    """
    return _GUARANTEE_NUMBER.fullmatch(text) is not None


def is_statement_number(text: str) -> bool:
    return _STATEMENT_NUMBER.fullmatch(text) is not None
