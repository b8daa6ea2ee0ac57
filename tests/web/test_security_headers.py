"""Content-Security-Policy on every page; HSTS and the HTTPS redirect switched on by settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client

from tests.factories import World

SRC = Path(__file__).resolve().parents[2] / "src"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_every_kind_of_page_carries_the_policy(world: World) -> None:
    anonymous = Client()
    for path in ("/", "/login/", "/signup/", "/check/", "/no-such-page/", "/api/v1/docs"):
        response = anonymous.get(path)
        assert response["Content-Type"].startswith("text/html"), path
        assert policy_of(response) == POLICY, path
    for user, path in (
        (world.contractor_user, "/contractor/"),
        (world.orderer_user, "/verify/"),
        (world.approver, "/office/"),
    ):
        client = Client()
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, path
        assert policy_of(response) == POLICY, path


def test_djangos_debug_pages_keep_their_inline_script_in_debug_only(db: None, settings: Any) -> None:
    assert "Content-Security-Policy" in Client().get("/no-such-page/")
    settings.DEBUG = True
    assert "Content-Security-Policy" not in Client().get("/no-such-page/")


# Mail bodies are read by mail clients (inline styles are all they take), PDF templates by
# WeasyPrint: neither is a page of the site, so neither is under the policy.
NOT_PAGES = ("/documents/templates/", "/notifications/templates/notifications/emails/")
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "on*= handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    'style="" attribute': re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_page_template_carries_inline_script_or_style() -> None:
    """What the policy would block in the browser, caught before: a future inline script fails here."""
    templates = [p for p in SRC.glob("esurety/*/templates/**/*.html") if not any(n in str(p) for n in NOT_PAGES)]
    assert len(templates) > 50
    found = [
        f"{path.relative_to(SRC)}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert not found, found


def test_https_is_off_by_default_for_the_demo_and_the_tests(db: None) -> None:
    assert Client().get("/login/").status_code == 200
    assert "Strict-Transport-Security" not in Client().get("/login/", secure=True)


def test_https_redirect_and_hsts_when_switched_on(db: None, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()
    response = client.get("/login/?next=/verify/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/?next=/verify/"
    secure = client.get("/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Load balancers probe over plain http.
    health = client.get("/healthz")
    assert health.status_code == 200 and health.content == b"ok"


def test_behind_a_proxy_its_header_marks_the_request_secure(db: None, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=3600"
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_the_https_settings_come_from_the_environment() -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(SRC),
        "SECRET_KEY": "production-like-secret",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "63072000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    code = (
        "from esurety.config import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, s.SECURE_REDIRECT_EXEMPT)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True 63072000 True True ('HTTP_X_FORWARDED_PROTO', 'https') ['^healthz$']"
