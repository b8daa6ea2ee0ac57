"""Form widgets shared by the portals."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms

# What a person may type where the browser shows a text box instead of a date picker.
TYPED_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class IsoDateInput(forms.DateInput):
    """<input type="date"> whose value is a real date (YYYY-MM-DD) or nothing.

    A browser's date picker sends only those, but a typed address or a script may
    send "x" or 2026-13-01; echoing that back would make the page invalid HTML,
    and the browser would show an empty box anyway (the form's error says what
    was wrong). A date typed as 2026/04/10 comes back as 2026-04-10.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%d")
        if not value:
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        for pattern in TYPED_DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        return None
