"""The form renderer of the site: Django's, with its one-line <input> widgets written in Python.

Every <input> Django renders goes through three small templates (the widget's, input.html,
attrs.html, two of them included): on a page such as the orderer's verification form that was a
larger share of the page's time than the rest of its layout. The markup is the templates', byte
for byte (tests/web/test_renderers.py compares them); any other widget, or an <input> whose
template a project overrides, renders through the templates as before.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# Django's widget templates that are exactly {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "search",
        "tel",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
        "file",
    )
)


def _text(value: Any) -> str:
    """What {{ value|stringformat:'s' }} prints: %s-formatted, escaped unless already safe."""
    if isinstance(value, tuple):
        value = str(value)
    return conditional_escape(value) if isinstance(value, SafeString) else conditional_escape(f"{value}")


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html: name="value", a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(out)


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html for a widget context."""
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    # Every part escaped as the templates escape it (conditional_escape, as {{ }} does).
    return mark_safe(  # noqa: S308
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


class SiteFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in INPUT_TEMPLATES and not self._overridden(template_name):
            return render_input(context["widget"])
        return str(super().render(template_name, context, request=request))

    def _overridden(self, template_name: str) -> bool:
        """Whether an app's templates replace Django's widget template (then the template renders)."""
        cache: dict[str, bool] = self.__dict__.setdefault("_overrides", {})
        if template_name not in cache:
            origin = self.get_template(template_name).origin.name
            include = self.get_template("django/forms/widgets/input.html").origin.name
            cache[template_name] = not (
                origin.replace("\\", "/").endswith(f"django/forms/templates/{template_name}")
                and include.replace("\\", "/").endswith("django/forms/templates/django/forms/widgets/input.html")
            )
        return cache[template_name]
