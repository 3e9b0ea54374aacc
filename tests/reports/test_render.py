from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from liveqc.reports import bluebook, render
from liveqc.reports.schemas import (
    Figures,
    Period,
    Report,
    ReportFormat,
    RiskRow,
    Scope,
    Section,
    Table,
)
from tests.reports.test_bluebook import full

WHEN = datetime(2026, 12, 31, 8, 0)


@pytest.fixture(scope="module")
def zh() -> Report:
    return bluebook.build(full(), "zh-CN")


@pytest.fixture(scope="module")
def en() -> Report:
    return bluebook.build(full(), "en")


def test_html_is_self_contained_with_inline_svg(zh: Report) -> None:
    html = render.render_html(zh, WHEN)
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no CDN, no remote asset
    assert "<script" not in html
    assert html.count("<svg") == sum(len(s.charts) for s in zh.sections)
    assert '"Noto Sans CJK SC"' in html  # the stylesheet is inlined unescaped
    assert "@media print" in html
    for section in zh.sections:
        assert section.title in html
        for sentence in section.summary:
            assert sentence in html
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        ET.fromstring(svg)


def test_html_escapes_names_from_the_data() -> None:
    figures = full()
    evil = Figures(
        figures.period,
        Scope("organisation", "<b>org</b>", 1),
        challenges=type(figures.challenges)(top_products=(RiskRow("<img src=x>", 1, 1),)),
    )
    html = render.render_html(bluebook.build(evil, "en"))
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    assert "<b>org</b>" not in html


def test_pdf_is_a_real_pdf_with_the_section_titles(zh: Report) -> None:
    pdf = render.render_pdf(zh, WHEN)
    assert pdf.startswith(b"%PDF-")
    assert b"STSong-Light" in pdf
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for section in zh.sections:
        assert section.title in text
    assert "统计期 2026，星河直播：直播 37 场" in text.replace("\n", "")
    assert len(reader.pages) >= len(zh.sections) + 1
    assert [entry.title for entry in reader.outline] == [s.title for s in zh.sections]


def test_pdf_in_english_holds_summaries_and_table_numbers(en: Report) -> None:
    reader = PdfReader(io.BytesIO(render.render_pdf(en)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "1. Industry status" in text and "6. Challenges and measures" in text
    assert "1,234" in text and "56.1" in text


def test_long_tables_repeat_their_header_on_every_page() -> None:
    rows: list[tuple[str | int | float | None, ...]] = [(f"行 {i}", i) for i in range(150)]
    section = Section("industry", "长表", ["摘要"], [Table("很多行", ("项目", "数量"), rows)], [])
    report = Report("zh-CN", "测试", "范围", [section], full())
    reader = PdfReader(io.BytesIO(render.render_pdf(report)))
    pages = [page.extract_text() for page in reader.pages[1:]]
    assert len(pages) >= 2
    assert all("项目" in page and "数量" in page for page in pages)


def test_xlsx_has_one_sheet_per_section_with_typed_numbers(en: Report) -> None:
    book = load_workbook(io.BytesIO(render.render_xlsx(en, WHEN)))
    assert len(book.sheetnames) == len(en.sections)
    assert book.sheetnames[0] == "1. Industry status"
    supervision = book[book.sheetnames[1]]
    values = [[c.value for c in row] for row in supervision.iter_rows()]
    assert ["Absolute term", 23, 56.1] in [row[:3] for row in values]
    assert any(row[0] == en.sections[1].summary[0] for row in values)
    assert supervision._charts, "a native Excel bar chart"
    industry = book[book.sheetnames[0]]
    sessions = next(
        row for row in industry.iter_rows(values_only=True) if row[0] == "live sessions"
    )
    assert sessions[1] == 37 and isinstance(sessions[1], int)
    sales = next(row for row in industry.iter_rows(values_only=True) if row[0] == "sales (yuan)")
    assert sales[1] is None


def test_xlsx_text_starting_with_equals_stays_text() -> None:
    figures = full()
    risky = Figures(
        figures.period,
        Scope("organisation", "x", 1),
        challenges=type(figures.challenges)(
            top_products=(RiskRow('=HYPERLINK("http://x")', 2, 0),)
        ),
    )
    book = load_workbook(io.BytesIO(render.render_xlsx(bluebook.build(risky, "en"))))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    target = [c for c in cells if c.value == '=HYPERLINK("http://x")']
    assert target and all(c.data_type == "s" for c in target)


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    section = Section("x", "a/b:c*d?[e]" + "长" * 40, [], [], [])
    first = render.sheet_name(section, used)
    second = render.sheet_name(section, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not re.search(r"[\[\]:*?/\\]", first + second)


def test_pdf_is_reproducible(zh: Report) -> None:
    assert render.render_pdf(zh, WHEN) == render.render_pdf(zh, WHEN)


def test_render_dispatches_on_format(zh: Report) -> None:
    assert render.render(zh, ReportFormat.html).startswith(b"<!DOCTYPE html>")
    assert render.render(zh, ReportFormat.pdf).startswith(b"%PDF")
    assert render.render(zh, ReportFormat.xlsx).startswith(b"PK")


def test_cells_print_missing_values_as_a_dash() -> None:
    assert render.cell_text(None) == "—" and render.cell_text(1234.5) == "1,234.5"


def test_empty_period_renders_every_format() -> None:
    empty = Figures(Period.parse("2026-02"), Scope("organisation", "青禾优选", 1))
    report = bluebook.build(empty, "zh-CN")
    for fmt in ReportFormat:
        assert render.render(report, fmt)
