from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from liveqc.reports.charts import (
    FONT_FAMILY,
    HEIGHT,
    PALETTE,
    RIGHT,
    TOP,
    WIDTH,
    Chart,
    Series,
    fit,
    layout,
    nice_ticks,
    number,
    text_width,
    to_svg,
)
from liveqc.reports.render import to_drawing

SVG = "{http://www.w3.org/2000/svg}"
KINDS = ("bar", "stacked", "line", "donut")


def sample(kind: str, title: str = "违规发现 Findings") -> Chart:
    return Chart(
        kind,
        title,
        ("绝对化用语", "价格欺诈", "medical_claim"),
        (Series("高 high", (5, 3, 0)), Series("低 low", (2, 1, 4))),
        x_label="类型",
        y_label="数量",
    )


def texts(svg: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_valid_svg_with_title_and_cjk_fonts(kind: str) -> None:
    root = ET.fromstring(to_svg(sample(kind)))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "违规发现 Findings"
    assert root.get("font-family") == FONT_FAMILY
    assert "Noto Sans CJK SC" in FONT_FAMILY and FONT_FAMILY.endswith("sans-serif")


@pytest.mark.parametrize("kind", KINDS)
def test_output_is_deterministic(kind: str) -> None:
    assert to_svg(sample(kind)) == to_svg(sample(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_fills_come_from_the_okabe_ito_palette(kind: str) -> None:
    fills = set(re.findall(r'fill="(#[0-9A-F]{6})"', to_svg(sample(kind))))
    series_fills = fills - {"#FFFFFF", "#222222", "#D9D9D9", "#BBBBBB"}
    assert series_fills and series_fills <= set(PALETTE)
    assert PALETTE[:2] == ("#E69F00", "#56B4E9")


def test_bar_chart_shows_values_labels_axis_titles_and_legend() -> None:
    shown = texts(to_svg(sample("bar")))
    for expected in ("5", "3", "4", "绝对化用语", "价格欺诈", "类型", "数量", "高 high", "低 low"):
        assert expected in shown


def test_stacked_bar_shows_column_totals() -> None:
    shown = texts(to_svg(sample("stacked")))
    assert {"7", "4"} <= set(shown)  # 5 + 2 and 3 + 1 and 0 + 4


def test_donut_legend_gives_value_and_share() -> None:
    chart = Chart("donut", "类目", ("化妆品", "食品"), (Series("n", (3, 1)),))
    shown = texts(to_svg(chart))
    assert "化妆品  3 (75.0%)" in shown and "食品  1 (25.0%)" in shown
    assert "4" in shown  # the total in the middle


def test_line_chart_draws_one_polyline_per_series() -> None:
    chart = Chart("line", "趋势", ("2026-01", "2026-02", "2026-03"), (Series("a", (1, 4, 2)),))
    root = ET.fromstring(to_svg(chart))
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("stroke") == PALETTE[0]]
    assert len(lines) == 1 and len(lines[0].get("points", "").split()) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_escaped_not_injected(kind: str) -> None:
    evil = '<script>alert(1)</script>&"'
    chart = Chart(kind, evil, (evil, "b"), (Series(evil, (1, 2)),))
    svg = to_svg(chart)
    root = ET.fromstring(svg)
    assert "<script>" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == evil


def test_control_characters_are_dropped_so_the_xml_stays_valid() -> None:
    chart = Chart("bar", "bad\x00\x07title", ("x\x1b",), (Series("s", (1,)),))
    assert ET.fromstring(to_svg(chart)).find(f"{SVG}title").text == "badtitle"


@pytest.mark.parametrize("kind", KINDS)
def test_empty_chart_says_no_data(kind: str) -> None:
    chart = Chart(kind, "空", (), (), empty_text="暂无数据")
    assert "暂无数据" in texts(to_svg(chart))
    zeros = Chart(kind, "零", ("a",), (Series("s", (0,)),), empty_text="暂无数据")
    assert "暂无数据" in texts(to_svg(zeros))


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    assert fit("一二三四五六七八九十", 10, 45).endswith("…")
    assert fit("short", 10, 200) == "short"


def test_nice_ticks_cover_the_maximum_with_round_steps() -> None:
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(3)[-1] >= 3 and all(float(v).is_integer() for v in nice_ticks(3))
    assert nice_ticks(0) == [0, 1]


def test_numbers_print_without_needless_decimals() -> None:
    assert number(1234) == "1,234" and number(4.9) == "4.9" and number(2.0) == "2"


@pytest.mark.parametrize("kind", KINDS)
def test_reportlab_drawing_has_the_chart_text(kind: str) -> None:
    from reportlab.graphics.shapes import String

    drawing = to_drawing(sample(kind), "Helvetica")

    def strings(node: object) -> list[str]:
        found = [node.text] if isinstance(node, String) else []
        for child in getattr(node, "contents", []):
            found += strings(child)
        return found

    assert "违规发现 Findings" in strings(drawing)
    assert drawing.width > 0 and drawing.height > 0


def long_legend(kind: str, count: int) -> Chart:
    names = [f"Findings confirmed by compliance reviewers, channel {i}" for i in range(count)]
    return Chart(
        kind,
        "Findings by channel",
        ("2026-01", "2026-02"),
        tuple(Series(name, (i + 1, i + 2)) for i, name in enumerate(names)),
    )


def legend_texts(svg: str) -> list[ET.Element]:
    return [n for n in ET.fromstring(svg).iter(f"{SVG}text") if n.get("font-size") == "11"]


@pytest.mark.parametrize("kind", ("bar", "stacked", "line"))
def test_long_legend_wraps_inside_the_chart_and_pushes_the_plot_down(kind: str) -> None:
    chart = long_legend(kind, 5)
    svg = to_svg(chart)
    entries = legend_texts(svg)
    assert [n.text for n in entries] == [fit(s.name, 11, 160) for s in chart.series]
    for node in entries:
        assert float(node.get("x")) + text_width(node.text or "", 11) <= WIDTH - RIGHT
    rows = sorted({float(n.get("y")) for n in entries})
    assert len(rows) > 1
    root = ET.fromstring(svg)
    assert float(root.get("width")) == WIDTH and float(root.get("height")) == HEIGHT
    assert layout(chart).top == TOP + (len(rows) - 1) * (rows[1] - rows[0])
    # the y axis starts below the legend's last row
    axis = next(p for p in root.iter(f"{SVG}polyline") if len(p.get("points", "").split()) == 3)
    assert float(axis.get("points").split()[0].split(",")[1]) > rows[-1]


def test_short_legend_stays_on_one_row_with_the_usual_top_margin() -> None:
    chart = sample("bar")
    assert len({n.get("y") for n in legend_texts(to_svg(chart))[:2]}) == 1
    assert layout(chart).top == TOP


def test_a_legend_too_long_for_its_rows_counts_the_rest() -> None:
    chart = long_legend("bar", 30)
    entries = legend_texts(to_svg(chart))
    shown = [n.text for n in entries if not (n.text or "").startswith("+")]
    more = [n.text for n in entries if (n.text or "").startswith("+")]
    assert more == [f"+{30 - len(shown)}"] and 0 < len(shown) < 30
    for node in entries:
        assert float(node.get("x")) + text_width(node.text or "", 11) <= WIDTH - RIGHT
    assert HEIGHT - layout(chart).top - 64 >= (HEIGHT - TOP - 64) / 2  # the plot keeps half


def test_wrapped_legend_renders_as_a_reportlab_drawing() -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.shapes import String

    chart = long_legend("stacked", 5)
    drawing = to_drawing(chart, "Helvetica")

    def strings(node: object) -> list[str]:
        found = [node.text] if isinstance(node, String) else []
        for child in getattr(node, "contents", []):
            found += strings(child)
        return found

    assert {fit(s.name, 11, 160) for s in chart.series} <= set(strings(drawing))
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")
