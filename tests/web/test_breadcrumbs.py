"""Where a page sits reads alike in every portal: one markup, one separator, one rule in the shared
stylesheet (保証申込 once had a list with 「›」 of its own, the office a class of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import World, submit_application

SRC = Path(__file__).resolve().parents[2] / "src" / "esurety"
SHARED_CSS = SRC / "web" / "static" / "esurety" / "site.css"


def test_every_breadcrumb_is_one_paragraph_of_links_separated_by_the_same_mark() -> None:
    found = 0
    for template in SRC.glob("*/templates/**/*.html"):
        for line in template.read_text().splitlines():
            if "breadcrumb" not in line:
                continue
            found += 1
            assert line.startswith('<p class="breadcrumb"><a href='), (template, line)
            # Every step after the first follows 「 ＞ 」, and no other separator is used.
            assert line.count("</a>") <= line.count(" ＞ "), (template, line)
            assert not re.search(r"[›»]|&gt;|&raquo;", line), (template, line)
    assert found >= 25, found


def test_the_breadcrumb_is_styled_once_in_the_shared_stylesheet() -> None:
    assert ".breadcrumb {" in SHARED_CSS.read_text()
    for css in SRC.glob("*/static/**/*.css"):
        if css == SHARED_CSS:
            continue
        rules = [line for line in css.read_text().splitlines() if re.match(r"\s*\.[\w-]*breadcrumb[\w-]* ", line)]
        assert not rules, (css, rules)


@pytest.mark.django_db
def test_the_application_pages_show_where_they_are_like_the_other_contractor_pages(world: World) -> None:
    app = submit_application(world)
    client = Client()
    client.force_login(world.contractor_user)
    for path, crumb in (
        (f"/contractor/applications/{app.pk}/", f"保証申込一覧</a> ＞ 申込 No.{app.pk}</p>"),
        ("/contractor/applications/new/", "保証申込一覧</a> ＞ 新規保証申込</p>"),
    ):
        body = client.get(path).content.decode()
        assert '<p class="breadcrumb"><a href="/contractor/applications/">' + crumb in body, path
        assert "›" not in body, path
