"""Characters no free text may carry, for every form, the bulk import and the API alike.

NUL cannot be stored by PostgreSQL; other control characters break CSV
exports and mail headers; bidirectional overrides (U+202A–202E, U+2066–2069)
make a 工事名 read differently from what is stored (「Trojan Source」); and
zero-width characters (U+200B–200F, U+FEFF) make two names that look the same
differ, so a search or a duplicate check misses them. They are refused with a
message, never silently removed: the person who typed them should know.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Tab is allowed everywhere (pasted from a spreadsheet); line breaks only in multi-line text.
_ALWAYS_REFUSED = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR) and C1 controls, DEL
    "\u200b-\u200f"  # zero-width space / non-joiner / joiner, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (a BOM inside text)
    "\ud800-\udfff"  # lone surrogates: not characters, cannot be encoded
)
_SINGLE_LINE = re.compile(f"[{_ALWAYS_REFUSED}\n\r]")
_MULTI_LINE = re.compile(f"[{_ALWAYS_REFUSED}]")


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == "\x00":
        return f"NUL文字 {code}"
    if char in "\n\r":
        return f"改行 {code}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069" or char in "\u200e\u200f":
        return f"文字の向きを変える制御文字 {code}"
    if "\u200b" <= char <= "\u200d" or char == "\ufeff":
        return f"幅のない文字 {code}"
    if "\ud800" <= char <= "\udfff":
        return f"文字として読み取れない値 {code}"
    return f"制御文字 {code}"


def text_error(value: str, *, multiline: bool = False) -> str | None:
    """The Japanese message for a text with a refused character (naming the first one), or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    return f"使用できない文字（{_describe(found.group())}）が含まれています。削除してから入力してください。"


@deconstructible
class TextValidator:
    """core.text's rule as a Django validator, for a form field that is not a web.forms.TextField."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            message = text_error(value, multiline=self.multiline)
            if message is not None:
                raise ValidationError(message, code="forbidden_character")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)
