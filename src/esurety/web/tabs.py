"""A portal's tab bar (受注者・発注者メニュー) from a table, rendered in Python.

Each portal says in its ``nav.py`` which tabs it has and which pages (URL names) mark each one
current; this module draws them. Every signed-in page draws its tab bar: written as template tags,
its six ``{% url %}`` lookups and name comparisons cost 0.15 ms of a 1.7 ms page, and the
conditions were repeated inline. URLs are reversed once per process (they depend on the script
prefix and the URLconf only).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from esurety.parties.models import User

_CURRENT = mark_safe(' aria-current="page"')


def _everyone(user: User) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    label: str
    url_name: str  # namespaced, e.g. "verify:received"
    # The portal's URL names (without namespace) whose pages belong to this tab.
    pages: frozenset[str]
    # Or every URL name starting with one of these (a tab over a family of pages).
    page_prefixes: tuple[str, ...] = ()
    shown_to: Callable[[User], bool] = _everyone

    def is_current(self, url_name: str | None) -> bool:
        if url_name is None:
            return False
        return url_name in self.pages or any(url_name.startswith(p) for p in self.page_prefixes)


def tab(
    label: str,
    url_name: str,
    *pages: str,
    prefixes: tuple[str, ...] = (),
    shown_to: Callable[[User], bool] = _everyone,
) -> Tab:
    """A tab whose own page is ``url_name``; ``pages`` names the other pages that belong to it."""
    own = url_name.rpartition(":")[2]
    return Tab(label, url_name, frozenset((own, *pages)), prefixes, shown_to)


@functools.cache
def _url(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


def menu_url(url_name: str) -> str:
    """The URL of a menu's page (no arguments), reversed once per process and script prefix."""
    return _url(url_name, get_script_prefix())


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    # Tests that swap the URLconf (override_settings(ROOT_URLCONF=…)), as Django clears its own caches.
    if setting == "ROOT_URLCONF":
        _url.cache_clear()


def tab_bar(tabs: tuple[Tab, ...], *, label: str, request: HttpRequest) -> SafeString:
    match = request.resolver_match
    url_name = match.url_name if match is not None else None
    user = request.user
    items = format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (menu_url(t.url_name), _CURRENT if t.is_current(url_name) else "", t.label)
            for t in tabs
            if isinstance(user, User) and t.shown_to(user)
        ),
    )
    return format_html('<nav class="portal-tabs" aria-label="{}">\n  <ul>{}</ul>\n</nav>', label, items)
