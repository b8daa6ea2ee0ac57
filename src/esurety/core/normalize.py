"""Normalisation of what people type for numbers and keys.

A clerk copies 「２０７０ ００４４２６」 from a PDF or types the key in
full-width; both must work. NFKC folds full-width to half-width; then
case, spaces and every kind of hyphen/dash are dropped.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ_]+")


def normalize_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = _SEPARATORS.sub("", text)
    return text.upper()


def normalize_guarantee_number(raw: str) -> str:
    return normalize_code(raw)


def normalize_access_key(raw: str) -> str:
    return normalize_code(raw)
