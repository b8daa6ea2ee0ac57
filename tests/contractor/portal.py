"""Helpers for the contractor portal tests: logged-in clients, HTML tables, PDF text."""

from __future__ import annotations

import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from django.test import Client

from esurety.parties.models import User


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def squash(text: str) -> str:
    """Collapse runs of whitespace, as a reader sees the rendered text."""
    return re.sub(r"\s+", " ", text).strip()


class _Tables(HTMLParser):
    """Header and body cell texts of every <table>, in order; <br> becomes a newline."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"head": [], "body": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell)
            self._row.append("\n".join(squash(part) for part in text.split("\n")))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["head" if self._in_head else "body"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[dict[str, list[list[str]]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def visible_text(html: str) -> str:
    """The page's text without tags, scripts or styles, whitespace collapsed; as on a desktop, without
    the column names a card repeats above its fields on a phone (stack-rows__label)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<span class="stack-rows__label"[^>]*>[^<]*</span>', " ", html)
    return squash(re.sub(r"<[^>]+>", " ", html))


def pager_texts(html: str) -> list[str]:
    return [visible_text(m) for m in re.findall(r'<nav class="pager".*?</nav>', html, flags=re.S)]


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(data)
        result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")
