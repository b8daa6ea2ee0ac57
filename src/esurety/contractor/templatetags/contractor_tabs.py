"""{% contractor_tabs %}: the contractor portal's tab bar (the table: contractor.nav)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from esurety.contractor.nav import TABS
from esurety.web.tabs import tab_bar

register = template.Library()


@register.simple_tag(takes_context=True)
def contractor_tabs(context: template.Context) -> SafeString:
    return tab_bar(TABS, label="受注者メニュー", request=context["request"])
