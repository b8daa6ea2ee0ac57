"""Japanese prose in the HTML templates is not broken over source lines.

Chromium renders a line break between two Japanese characters as a space (it does not apply CSS
Text's rule that removes such breaks), so 「依頼できます。 依頼書は」 showed a stray space in the
middle of a sentence on every page whose template wrapped its prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import esurety

WIDE = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"
BREAK_IN_PROSE = re.compile(rf"{WIDE}\n[ \t]*{WIDE}")


def test_no_html_template_breaks_a_japanese_sentence_over_two_lines() -> None:
    root = Path(esurety.__file__).parent
    templates = [p for p in root.glob("*/templates/**/*.html")]
    assert len(templates) > 100  # the scan sees the product's templates
    broken = [
        f"{path.relative_to(root)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for m in BREAK_IN_PROSE.finditer(text)
    ]
    assert broken == []
