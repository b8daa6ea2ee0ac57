"""{% office_nav %}: the back office's menu for the page being rendered (the table: office.nav)."""

from __future__ import annotations

from typing import Any

from django import template

from esurety.office.nav import Menu, office_menu

register = template.Library()


@register.inclusion_tag("office/_nav.html", takes_context=True)
def office_nav(context: template.Context) -> dict[str, Any]:
    menu: Menu = office_menu(office_tab=context.get("office_tab"), user=context["user"])
    return {"menu": menu}
