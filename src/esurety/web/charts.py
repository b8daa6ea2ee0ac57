"""Charts for the portals' home pages: pygal SVG, inline, accessible, and legal under a strict CSP.

pygal writes a <style> and a <script> into every SVG and a tooltip group with a
style attribute. Inline in a page whose Content-Security-Policy allows styles and
scripts only from files ('self'), all three would be blocked or would break the
rule of no inline style or script. So each chart is rendered without them:
series colours and fill patterns become SVG presentation attributes (which CSP
does not govern), and everything else (fonts, axes, guides) comes from the
static file esurety/charts.css.

Colours are Okabe–Ito (told apart by colour-blind readers) and each series also
differs in a way that survives grey printing: a fill pattern for bars, a dash
style for lines. Every chart carries role="img", an aria-label, a <title> and a
<desc> saying what it shows; the page puts the figures in a table next to it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pygal
import pygal.style
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from lxml import etree
from pygal.etree import etree as pygal_etree

# pygal builds its tree with lxml when lxml is installed (pyHanko needs it, so it is);
# the filter below walks that tree with lxml's parent links.
pygal_etree.to_lxml()

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO_BLUE = "#0072B2"
OKABE_ITO_ORANGE = "#E69F00"
OKABE_ITO_GREEN = "#009E73"
OKABE_ITO_VERMILLION = "#D55E00"
OKABE_ITO_SKY = "#56B4E9"


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    # A pattern drawn over the colour (bars, legend boxes): none, diagonal lines, dots, cross-hatch.
    pattern: str
    # A dash style for lines; "" is solid.
    dash: str


# In order of use. Grey print keeps them apart by pattern and dash, not by shade alone.
PALETTE: tuple[SeriesStyle, ...] = (
    SeriesStyle(OKABE_ITO_BLUE, "solid", ""),
    SeriesStyle(OKABE_ITO_ORANGE, "diagonal", "9 4"),
    SeriesStyle(OKABE_ITO_GREEN, "dots", "2 4"),
    SeriesStyle(OKABE_ITO_VERMILLION, "cross", "12 4 3 4"),
    SeriesStyle(OKABE_ITO_SKY, "horizontal", "4 4"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows. `chart_id` must be unique within the page (it prefixes the SVG's ids)."""

    chart_id: str
    title: str
    description: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"  # bar | stacked_bar | horizontal_bar | horizontal_stacked_bar | line
    value_format: str = "count"  # count | percent | man_yen
    height: int = 360
    label_every: int = 1  # show every n-th x label (24 months → every 3rd)
    print_values: bool = False
    max_value: float | None = None


def _format(kind: str) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if value is None:
            return "—"
        if kind == "percent":
            return f"{value:.1f}%"
        if kind == "man_yen":
            return f"{value:,.0f}万円"
        return f"{value:,.0f}"

    return fmt


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _classes(element: Any) -> list[str]:
    return str(element.get("class", "")).split()


def _add_pattern(defs: Any, pattern_id: str, style: SeriesStyle) -> None:
    """An SVG <pattern>: the series colour with dark marks over it, which survive grey print."""
    pattern = etree.SubElement(defs, "pattern", id=pattern_id, patternUnits="userSpaceOnUse", width="8", height="8")
    etree.SubElement(pattern, "rect", width="8", height="8", fill=style.colour)
    ink = {"stroke": "#1a1a1a", "stroke-opacity": "0.7"}
    if style.pattern == "diagonal":
        etree.SubElement(pattern, "path", d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6", attrib={**ink, "stroke-width": "1.6"})
    elif style.pattern == "dots":
        etree.SubElement(pattern, "circle", cx="4", cy="4", r="1.6", fill="#1a1a1a", attrib={"fill-opacity": "0.75"})
    elif style.pattern == "cross":
        etree.SubElement(pattern, "path", d="M0 0 L8 8 M8 0 L0 8", attrib={**ink, "stroke-width": "1.1"})
    elif style.pattern == "horizontal":
        etree.SubElement(pattern, "path", d="M0 4 H8", attrib={**ink, "stroke-width": "1.6"})


def _series_index(element: Any) -> int | None:
    for name in _classes(element):
        match = re.fullmatch(r"(?:serie|color)-(\d+)", name)
        if match:
            return int(match.group(1))
    return None


def _paint(element: Any, style: SeriesStyle, fill: str) -> None:
    """Series colours as presentation attributes, which a CSP never blocks (style attributes it does)."""
    name, classes = _local(element.tag), _classes(element)
    if name == "rect" and ("rect" in classes or "reactive" in classes):
        element.set("fill", fill)
        element.set("stroke", "#1a1a1a")
        element.set("stroke-width", "0.6")
    elif name == "path" and "line" in classes:
        element.set("fill", "none")
        element.set("stroke", style.colour)
        element.set("stroke-width", "3")
        if style.dash:
            element.set("stroke-dasharray", style.dash)
    elif name == "circle" and "dot" in classes:
        element.set("fill", style.colour)
        element.set("stroke", "#1a1a1a")
        element.set("stroke-width", "0.8")


def _accessible(spec: ChartSpec) -> Callable[[Any], Any]:
    """pygal's xml filter: drop style, script and tooltips; add colours, patterns, role, label and desc."""

    def apply(root: Any) -> Any:
        for element in list(root.iter()):
            name = _local(element.tag)
            drop = (
                not isinstance(element.tag, str)  # comments: pygal's name and the render date
                or name in ("style", "script")
                or (name == "g" and "tooltip-overlay" in _classes(element))  # carries a style attribute
                or (name == "desc" and element.get("class") is not None)  # data for pygal's JS tooltips
                or (name == "title" and element.getparent() is not root)  # one title: the chart's own
            )
            if drop and element.getparent() is not None:
                element.getparent().remove(element)
        for element in root.iter():
            element.attrib.pop("style", None)
            if _local(element.tag) == "rect" and element.get("width") is None:
                element.set("width", "0")  # pygal leaves out the width of a zero bar; SVG requires it
            if str(element.get("id", "")).startswith("activate-serie"):
                del element.attrib["id"]  # the same in every pygal chart: duplicate ids on the page
        root.set("id", spec.chart_id)
        root.set("class", "chart")
        root.set("role", "img")
        root.set("aria-label", spec.title)
        root.set("aria-describedby", f"{spec.chart_id}-desc")
        title = next(e for e in root if _local(e.tag) == "title")
        title.set("id", f"{spec.chart_id}-title")
        title.text = spec.title
        desc = etree.Element("desc", id=f"{spec.chart_id}-desc")
        desc.text = spec.description
        title.addnext(desc)
        line = spec.kind == "line"
        defs = next(e for e in root if _local(e.tag) == "defs")
        if not line:
            for number, pattern_style in enumerate(PALETTE):
                _add_pattern(defs, f"{spec.chart_id}-fill-{number}", pattern_style)
        for group in root.iter():
            found = _series_index(group)
            if found is None:
                continue
            style = PALETTE[found % len(PALETTE)]
            fill = style.colour if line else f"url(#{spec.chart_id}-fill-{found % len(PALETTE)})"
            for element in group.iter():
                _paint(element, style, fill)
        return root

    return apply


_CHART_CLASSES: dict[str, Any] = {
    "bar": pygal.Bar,
    "stacked_bar": pygal.StackedBar,
    "horizontal_bar": pygal.HorizontalBar,
    "horizontal_stacked_bar": pygal.HorizontalStackedBar,
    "line": pygal.Line,
}


# Bumped when the drawing changes, so no old picture is served from the cache.
RENDERING = "charts-v2"
CACHE_SECONDS = 2 * 60 * 60


def _cache_key(spec: ChartSpec) -> str:
    return f"{RENDERING}:" + hashlib.sha256(repr(spec).encode()).hexdigest()


def render_charts(specs: Sequence[ChartSpec]) -> list[SafeString]:
    """The charts as inline SVG markup (no XML declaration, no style, no script), in one cache round trip.

    pygal takes 10–60 ms a chart; the monthly figures change once an hour. Each
    picture is cached under a hash of everything it shows, so two users share
    it only when they would see the very same figures.
    """
    keys = [_cache_key(spec) for spec in specs]
    found = cache.get_many(keys)
    missing = {}
    for key, spec in zip(keys, specs, strict=True):
        if not isinstance(found.get(key), str):
            found[key] = missing[key] = _render(spec)
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    # pygal's serialisation (lxml) escapes every label, value and description.
    return [mark_safe(found[key]) for key in keys]  # noqa: S308


def render_chart(spec: ChartSpec) -> SafeString:
    return render_charts([spec])[0]


def _render(spec: ChartSpec) -> str:
    fmt = _format(spec.value_format)
    horizontal = spec.kind.startswith("horizontal")
    # pygal sizes the margins from these (0.6 em a character, right for Latin digits); charts.css
    # sets the real type. Japanese names are a full em a character, so their axis is told 22 for 13.
    label_size = 22 if horizontal else 13
    style = pygal.style.Style(
        font_family="inherit",
        label_font_size=label_size,
        major_label_font_size=label_size,
        legend_font_size=24,
        value_font_size=12,
        no_data_font_size=22,
    )
    config = pygal.Config(
        style=style,
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        # The page heads each chart; pygal's own title would repeat it inside the picture.
        title=None,
        width=800,
        height=spec.height,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(4, max(1, len(spec.series))),
        show_legend=len(spec.series) > 1,
        truncate_label=-1,
        truncate_legend=-1,
        value_formatter=fmt,
        print_values=spec.print_values,
        print_values_position="top",
        x_label_rotation=0,
        include_x_axis=True,
        dots_size=3.5,
        margin_bottom=8,
        spacing=12,
        no_data_text="データなし",
    )
    if spec.kind == "line":
        config.range = (0, spec.max_value or 100)
    elif spec.max_value is not None:
        config.range = (0, spec.max_value)
    chart = _CHART_CLASSES[spec.kind](config)
    chart.add_xml_filter(_accessible(spec))
    chart.x_labels = list(spec.labels)
    if spec.label_every > 1:
        chart.x_labels_major_every = spec.label_every
        chart.show_minor_x_labels = False
    for series in spec.series:
        chart.add(series.name, list(series.values))
    svg: str = chart.render(is_unicode=True)
    return svg
