"""{% verify_tabs %}: the orderer portal's tab bar (the table: verify.nav)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from esurety.verify.nav import TABS
from esurety.web.tabs import tab_bar

register = template.Library()


@register.simple_tag(takes_context=True)
def verify_tabs(context: template.Context) -> SafeString:
    return tab_bar(TABS, label="発注者メニュー", request=context["request"])
