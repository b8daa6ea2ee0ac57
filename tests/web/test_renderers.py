"""The site's form renderer writes <input> widgets in Python: byte for byte what Django's templates write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from esurety.web.renderers import INPUT_TEMPLATES, SiteFormRenderer
from esurety.web.widgets import IsoDateInput

TEMPLATES = DjangoTemplates()
SITE = SiteFormRenderer()

text = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'=/全角ｶﾅ\u3000-_")), max_size=12)
attr_value = st.one_of(
    st.booleans(), st.none(), st.integers(-5, 10**6), text, text.map(mark_safe), st.tuples(st.integers(0, 3))
)
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "maxlength", "required", "aria-describedby", "data-x"]), attr_value
)
widgets = st.sampled_from(
    [
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.PasswordInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.CheckboxInput,
        IsoDateInput,
    ]
)


def both(widget: forms.Widget, name: str, value: Any, extra: dict[str, Any]) -> tuple[str, str]:
    assert widget.template_name in INPUT_TEMPLATES
    return widget.render(name, value, extra, renderer=TEMPLATES), widget.render(name, value, extra, renderer=SITE)


@settings(max_examples=300, deadline=None)
@given(
    widget=widgets,
    name=text,
    value=st.one_of(st.none(), text, st.integers(), st.just(dt.date(2026, 4, 1))),
    extra=attrs,
)
def test_inputs_are_written_as_the_templates_write_them(
    widget: type[forms.Widget], name: str, value: Any, extra: dict[str, Any]
) -> None:
    by_templates, by_site = both(widget(), name, value, extra)
    assert by_site == by_templates


def test_a_bound_form_renders_alike_errors_and_help_included() -> None:
    class Form(forms.Form):
        number = forms.CharField(label="保証契約番号", max_length=40, help_text="10桁の数字")
        day = forms.DateField(widget=IsoDateInput)
        agree = forms.BooleanField()
        kind = forms.ChoiceField(choices=[("A", "前払"), ("B", "契約")])

    bound = Form({"number": '<"x">', "day": "2026/04/01", "kind": "B"})
    bound.is_valid()
    assert bound.render(renderer=SITE) == bound.render(renderer=TEMPLATES)
    assert 'aria-invalid="true"' in bound.render(renderer=SITE)
