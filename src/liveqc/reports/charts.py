"""Server-side charts: bar, stacked bar, line and donut as inline SVG or a reportlab drawing.

A chart is laid out once into a few primitive shapes (rectangles, lines, polygons, text) in SVG
coordinates; the SVG writer here and the PDF drawing in ``render`` both paint those shapes, so the
two outputs agree and the SVG is deterministic (same figures, same bytes). No JavaScript, no CDN.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

#: Okabe–Ito, the colour-blind-safe palette (black last: it is also the text colour).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
TEXT = "#222222"
GRID = "#D9D9D9"
EMPTY = "#BBBBBB"
WIDTH, HEIGHT = 640.0, 340.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 20.0, 62.0, 64.0
#: Each legend row past the first pushes the plot down by this much.
LEGEND_ROW = 16.0
#: A legend never takes more rows than this, so the plot keeps most of its height; series past
#: the last row are counted in a ``+N`` marker (the data table under a chart lists them all).
LEGEND_MAX_ROWS = 5

ChartKind = Literal["bar", "stacked", "line", "donut"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """What to draw: categories along the axis (or donut slices) and one or more series."""

    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    x_label: str = ""
    y_label: str = ""
    empty_text: str = "No data"


# --- primitives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 1.0


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 11
    anchor: Literal["start", "middle", "end"] = "start"
    colour: str = TEXT
    rotate: float = 0


Shape = Rect | Line | Polygon | Text


@dataclass
class Canvas:
    """The shapes of one chart; ``top`` is where its plot starts (below a wrapped legend)."""

    width: float
    height: float
    title: str
    shapes: list[Shape] = field(default_factory=list)
    top: float = TOP


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def clean(text: str) -> str:
    """Text safe for XML: control characters dropped (escaping happens when writing)."""
    return _CONTROL.sub("", str(text))


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width glyphs are one em, others about 0.58 em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (wide + (len(text) - wide) * 0.58) * size


def fit(text: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``room`` points."""
    text = clean(text)
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def number(value: float) -> str:
    """Integers without decimals, others with up to two (deterministic, no locale)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (steps of 1, 2 or 5 × 10^k)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if step < 1 and top >= 1 and float(top).is_integer():
        step = 1.0
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


# --- layout -----------------------------------------------------------------------------------


def layout(chart: Chart) -> Canvas:
    """Lay out ``chart`` into primitive shapes."""
    canvas = Canvas(WIDTH, HEIGHT, clean(chart.title))
    canvas.shapes.append(Text(WIDTH / 2, 22, fit(chart.title, 14, WIDTH - 20), 14, "middle"))
    if chart.kind == "donut":
        _donut(chart, canvas)
        return canvas
    _legend(chart, canvas)
    values = [v for s in chart.series for v in s.values]
    if not chart.categories or not any(values):
        _axes(canvas, [0.0, 1.0], chart)
        middle = (canvas.top + HEIGHT - BOTTOM) / 2
        canvas.shapes.append(Text(WIDTH / 2, middle, clean(chart.empty_text), 13, "middle", EMPTY))
        return canvas
    if chart.kind == "stacked":
        top = max(sum(s.values[i] for s in chart.series) for i in range(len(chart.categories)))
    else:
        top = max(values)
    ticks = nice_ticks(top)
    _axes(canvas, ticks, chart)
    _category_labels(chart, canvas)
    if chart.kind == "line":
        _lines(chart, canvas, ticks[-1])
    else:
        _bars(chart, canvas, ticks[-1])
    return canvas


def _plot_height(canvas: Canvas) -> float:
    return HEIGHT - canvas.top - BOTTOM


def _y(canvas: Canvas, value: float, peak: float) -> float:
    """The SVG y of ``value`` on an axis running from 0 to ``peak``."""
    if not peak:
        return HEIGHT - BOTTOM
    return HEIGHT - BOTTOM - (value / peak) * _plot_height(canvas)


def _slot(chart: Chart) -> float:
    return (WIDTH - LEFT - RIGHT) / max(len(chart.categories), 1)


def _legend(chart: Chart, canvas: Canvas) -> None:
    """Swatch and name per series, wrapping to a new row before an entry would pass the right
    margin; ``canvas.top`` moves down one row per extra row. The last allowed row keeps room
    for a ``+N`` marker counting the series that did not fit."""
    right, final = WIDTH - RIGHT, len(chart.series) - 1
    reserve = 18 + text_width(f"+{len(chart.series)}", 11)
    x, row = LEFT, 0
    for index, series in enumerate(chart.series):
        name = fit(series.name, 11, 160)
        width = 14 + text_width(name, 11)
        on_last_row = row == LEGEND_MAX_ROWS - 1
        if x > LEFT and x + width + (reserve if on_last_row and index < final else 0) > right:
            if on_last_row:
                more = f"+{len(chart.series) - index}"
                canvas.shapes.append(Text(x, 45 + row * LEGEND_ROW, more, 11))
                break
            x, row = LEFT, row + 1
        canvas.shapes.append(Rect(x, 36 + row * LEGEND_ROW, 10, 10, colour(index)))
        canvas.shapes.append(Text(x + 14, 45 + row * LEGEND_ROW, name, 11))
        x += width + 18
    canvas.top = TOP + row * LEGEND_ROW


def _axes(canvas: Canvas, ticks: list[float], chart: Chart) -> None:
    top = ticks[-1]
    for tick in ticks:
        y = _y(canvas, tick, top)
        canvas.shapes.append(Line(((LEFT, y), (WIDTH - RIGHT, y)), GRID, 0.6))
        canvas.shapes.append(Text(LEFT - 6, y + 4, number(tick), 10, "end"))
    base = HEIGHT - BOTTOM
    canvas.shapes.append(
        Line(((LEFT, canvas.top - 6), (LEFT, base), (WIDTH - RIGHT, base)), TEXT, 1)
    )
    if chart.y_label:
        canvas.shapes.append(
            Text(
                16,
                canvas.top + _plot_height(canvas) / 2,
                fit(chart.y_label, 11, 240),
                11,
                "middle",
                rotate=-90,
            )
        )
    if chart.x_label:
        label = fit(chart.x_label, 11, 400)
        canvas.shapes.append(
            Text(LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 10, label, 11, "middle")
        )


def _category_labels(chart: Chart, canvas: Canvas) -> None:
    slot = _slot(chart)
    for i, category in enumerate(chart.categories):
        x = LEFT + slot * (i + 0.5)
        canvas.shapes.append(
            Text(x, HEIGHT - BOTTOM + 16, fit(category, 10, slot - 4), 10, "middle")
        )


def _bars(chart: Chart, canvas: Canvas, top: float) -> None:
    slot = _slot(chart)
    base = HEIGHT - BOTTOM
    stacked = chart.kind == "stacked"
    groups = 1 if stacked else len(chart.series)
    width = min(slot * 0.7 / max(groups, 1), 48)
    for i in range(len(chart.categories)):
        start = LEFT + slot * (i + 0.5) - width * groups / 2
        running = 0.0
        for index, series in enumerate(chart.series):
            value = series.values[i]
            if stacked:
                y0, y1 = _y(canvas, running, top), _y(canvas, running + value, top)
                running += value
                x = start
            else:
                y0, y1 = base, _y(canvas, value, top)
                x = start + width * index
            if value > 0:
                canvas.shapes.append(Rect(x, y1, width, y0 - y1, colour(index)))
            if not stacked:
                label_y = y1 - 4
                canvas.shapes.append(Text(x + width / 2, label_y, number(value), 9, "middle"))
            elif y0 - y1 >= 13:
                ink = "#FFFFFF" if colour(index) in {"#0072B2", "#000000", "#D55E00"} else TEXT
                canvas.shapes.append(
                    Text(x + width / 2, (y0 + y1) / 2 + 3.5, number(value), 9, "middle", ink)
                )
        if stacked:
            canvas.shapes.append(
                Text(start + width / 2, _y(canvas, running, top) - 4, number(running), 9, "middle")
            )


def _lines(chart: Chart, canvas: Canvas, top: float) -> None:
    slot = _slot(chart)
    label_values = len(chart.series) == 1 or len(chart.categories) <= 6
    for index, series in enumerate(chart.series):
        points = tuple(
            (LEFT + slot * (i + 0.5), _y(canvas, v, top)) for i, v in enumerate(series.values)
        )
        if len(points) > 1:
            canvas.shapes.append(Line(points, colour(index), 2))
        for x, y in points:
            canvas.shapes.append(Polygon(_square(x, y, 3.2), colour(index)))
        if label_values:
            for (x, y), value in zip(points, series.values, strict=True):
                canvas.shapes.append(Text(x, y - 7, number(value), 9, "middle"))


def _square(x: float, y: float, r: float) -> tuple[tuple[float, float], ...]:
    return ((x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r))


def _ring(
    cx: float, cy: float, outer: float, inner: float, start: float, end: float
) -> tuple[tuple[float, float], ...]:
    """A donut slice from ``start`` to ``end`` degrees, clockwise from 12 o'clock."""
    steps = max(2, math.ceil((end - start) / 3))
    angles = [math.radians(start + (end - start) * k / steps) for k in range(steps + 1)]
    rim = [(cx + outer * math.sin(a), cy - outer * math.cos(a)) for a in angles]
    hole = [(cx + inner * math.sin(a), cy - inner * math.cos(a)) for a in reversed(angles)]
    return tuple((round(x, 2), round(y, 2)) for x, y in rim + hole)


def _donut(chart: Chart, canvas: Canvas) -> None:
    values = chart.series[0].values if chart.series else ()
    total = sum(v for v in values if v > 0)
    cx, cy, outer, inner = 170.0, 185.0, 115.0, 64.0
    if total <= 0:
        canvas.shapes.append(Polygon(_ring(cx, cy, outer, inner, 0, 360), GRID))
        canvas.shapes.append(Text(cx, cy + 5, clean(chart.empty_text), 13, "middle", EMPTY))
        return
    angle = 0.0
    for index, value in enumerate(values):
        if value <= 0:
            continue
        sweep = 360 * value / total
        canvas.shapes.append(
            Polygon(_ring(cx, cy, outer, inner, angle, angle + sweep), colour(index))
        )
        angle += sweep
    canvas.shapes.append(Text(cx, cy + 6, number(total), 18, "middle"))
    y = 70.0
    for index, (category, value) in enumerate(zip(chart.categories, values, strict=True)):
        if y > HEIGHT - 20:
            break
        share = 100 * value / total if value > 0 else 0
        label = f"{fit(category, 11, 200)}  {number(value)} ({share:.1f}%)"
        canvas.shapes.append(Rect(330, y - 9, 10, 10, colour(index)))
        canvas.shapes.append(Text(346, y, label, 11))
        y += 22


# --- writers ----------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)


def to_svg(chart: Chart) -> str:
    """The chart as a standalone SVG element (UTF-8 text, labels escaped)."""
    canvas = layout(chart)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(canvas.width)} '
        f'{_fmt(canvas.height)}" width="{_fmt(canvas.width)}" height="{_fmt(canvas.height)}" '
        f'role="img" font-family={quoteattr(FONT_FAMILY)} class="chart">',
        f"<title>{escape(canvas.title)}</title>",
        f'<rect x="0" y="0" width="{_fmt(canvas.width)}" height="{_fmt(canvas.height)}" '
        'fill="#FFFFFF"/>',
    ]
    for shape in canvas.shapes:
        if isinstance(shape, Rect):
            out.append(
                f'<rect x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" width="{_fmt(shape.w)}" '
                f'height="{_fmt(shape.h)}" fill="{shape.fill}"/>'
            )
        elif isinstance(shape, Line):
            out.append(
                f'<polyline points="{_points(shape.points)}" fill="none" stroke="{shape.stroke}" '
                f'stroke-width="{_fmt(shape.width)}"/>'
            )
        elif isinstance(shape, Polygon):
            out.append(f'<polygon points="{_points(shape.points)}" fill="{shape.fill}"/>')
        else:
            rotate = (
                f' transform="rotate({_fmt(shape.rotate)} {_fmt(shape.x)} {_fmt(shape.y)})"'
                if shape.rotate
                else ""
            )
            out.append(
                f'<text x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" font-size="{_fmt(shape.size)}" '
                f'text-anchor="{shape.anchor}" fill="{shape.colour}"{rotate}>'
                f"{escape(shape.text)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)
