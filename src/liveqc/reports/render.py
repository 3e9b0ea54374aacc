"""The Blue Book as a self-contained HTML page, a PDF (reportlab) and an XLSX workbook (openpyxl).

HTML inlines its CSS and SVG charts (no external asset, prints cleanly). The PDF uses the built-in
CID font STSong-Light for Chinese, draws the same charts natively and repeats table headers on
each page. The workbook has one sheet per section with typed numbers and a native bar chart.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from liveqc.reports.charts import Chart, Line, Polygon, Rect, layout, number, to_svg
from liveqc.reports.schemas import Cell, Report, ReportFormat, Section, Table
from liveqc.web.i18n import translator

TEMPLATES = Path(__file__).parent / "templates"
CJK_FONT = "STSong-Light"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


def cell_text(value: Cell) -> str:
    """A table cell for people: numbers grouped, a missing value as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number(value)
    return str(value)


def context(report: Report, generated_at: datetime | None = None) -> dict[str, Any]:
    """What the HTML templates need (charts already turned into inline SVG)."""
    return {
        "report": report,
        "t": translator(report.lang),
        "cell": cell_text,
        "svg": lambda chart: Markup(to_svg(chart)),
        "generated_at": generated_at.strftime("%Y-%m-%d %H:%M UTC") if generated_at else "",
    }


def render_html(report: Report, generated_at: datetime | None = None) -> str:
    """The standalone HTML document."""
    return _env.get_template("bluebook.html").render(context(report, generated_at))


def render_body(report: Report, generated_at: datetime | None = None) -> Markup:
    """The report's body, for embedding in a console page."""
    html = _env.get_template("bluebook_body.html").render(context(report, generated_at))
    return Markup(html)


# --- PDF --------------------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def to_drawing(chart: Chart, font: str, scale: float = 0.72) -> object:
    """The chart as a reportlab ``Drawing`` (y flipped), text in ``font``, scaled for a page."""
    from reportlab.graphics.shapes import Drawing, Group, PolyLine, String
    from reportlab.graphics.shapes import Polygon as RLPolygon
    from reportlab.graphics.shapes import Rect as RLRect
    from reportlab.lib.colors import HexColor

    canvas = layout(chart)
    height = canvas.height
    group = Group()
    group.add(RLRect(0, 0, canvas.width, height, fillColor=HexColor("#FFFFFF"), strokeColor=None))

    def flat(points: tuple[tuple[float, float], ...]) -> list[float]:
        return [c for x, y in points for c in (x, height - y)]

    for shape in canvas.shapes:
        if isinstance(shape, Rect):
            group.add(
                RLRect(
                    shape.x,
                    height - shape.y - shape.h,
                    shape.w,
                    shape.h,
                    fillColor=HexColor(shape.fill),
                    strokeColor=None,
                )
            )
        elif isinstance(shape, Line):
            group.add(
                PolyLine(
                    flat(shape.points), strokeColor=HexColor(shape.stroke), strokeWidth=shape.width
                )
            )
        elif isinstance(shape, Polygon):
            group.add(
                RLPolygon(flat(shape.points), fillColor=HexColor(shape.fill), strokeColor=None)
            )
        else:
            label = String(
                0 if shape.rotate else shape.x,
                0 if shape.rotate else height - shape.y,
                shape.text,
                fontName=font,
                fontSize=shape.size,
                fillColor=HexColor(shape.colour),
                textAnchor=shape.anchor,
            )
            if shape.rotate:
                turned = Group(label)
                turned.translate(shape.x, height - shape.y)
                turned.rotate(-shape.rotate)
                group.add(turned)
            else:
                group.add(label)
    group.scale(scale, scale)
    drawing = Drawing(canvas.width * scale, height * scale)
    drawing.add(group)
    return drawing


def render_pdf(report: Report, generated_at: datetime | None = None) -> bytes:
    """The report as PDF bytes (A4, Chinese-capable, charts drawn natively)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )
    from reportlab.platypus import Table as PdfTable

    _register_font()
    t = translator(report.lang)
    base = ParagraphStyle("base", fontName=CJK_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, spaceAfter=10)
    h1 = ParagraphStyle("h1", parent=base, fontSize=15, leading=22, spaceBefore=6, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11)
    num = ParagraphStyle("num", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(_pdf_escape(text), style)

    story: list[Any] = [Spacer(1, 30 * mm), para(report.title, title), para(report.subtitle, base)]
    if generated_at:
        story.append(para(f"{t('reports.generated')}: {generated_at:%Y-%m-%d %H:%M} UTC", base))
    story += [Spacer(1, 6 * mm), para(t("reports.source_note"), base), Spacer(1, 8 * mm)]
    story.append(para(t("reports.contents"), h2))
    story += [para(section.title, base) for section in report.sections]
    for section in report.sections:
        story.append(PageBreak())
        story.append(para(section.title, h1))
        story += [para(sentence, base) for sentence in section.summary]
        for table in section.tables:
            data = [[para(c, head) for c in table.columns]]
            data += [
                [para(cell_text(v), num if _is_number(v) else cell) for v in row]
                for row in table.rows
            ]
            if not table.rows:
                data.append([para(t("reports.no_data"), cell)] + [""] * (len(table.columns) - 1))
            grid = PdfTable(data, colWidths=column_widths(table, A4[0] - 36 * mm), repeatRows=1)
            grid.setStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0072B2")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#F3F6F9")],
                    ),
                ]
            )
            story.append(KeepTogether([para(table.title, h2)]))
            story.append(grid)
        for chart in section.charts:
            story += [Spacer(1, 4 * mm), to_drawing(chart, CJK_FONT, scale=0.75)]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(CJK_FONT, 8)
        canvas.drawString(18 * mm, 10 * mm, report.title)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author="liveqc",
        invariant=True,
    )
    marks: list[str] = []

    def outline(flowable: Any) -> None:
        """Bookmark each section title so that PDF readers list the sections."""
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            key = f"section-{len(marks)}"
            marks.append(key)
            doc.canv.bookmarkPage(key)
            doc.canv.addOutlineEntry(flowable.getPlainText(), key, level=0)

    doc.afterFlowable = outline
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def column_widths(table: Table, total: float) -> list[float]:
    """Widths in proportion to each column's longest text (capped), summing to ``total``."""
    from liveqc.reports.charts import text_width

    needs = []
    for col, name in enumerate(table.columns):
        texts = [name] + [cell_text(row[col]) for row in table.rows]
        needs.append(min(max(text_width(text, 9) for text in texts), 150) + 14)
    scale = total / sum(needs)
    return [need * scale for need in needs]


def _pdf_escape(text: str) -> str:
    """Paragraph text is mini-markup: escape it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- XLSX -------------------------------------------------------------------------------------

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(section: Section, used: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no []:*?/\\)."""
    name = _SHEET_BAD.sub(" ", section.title).strip()[:31] or section.key
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def render_xlsx(report: Report, generated_at: datetime | None = None) -> bytes:
    """The report as an XLSX workbook: one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = report.title
    workbook.properties.creator = "liveqc"
    used: set[str] = set()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE9F5")
    for section in report.sections:
        sheet = workbook.create_sheet(sheet_name(section, used))
        _put(sheet, 1, 1, report.title).font = bold
        _put(sheet, 2, 1, report.subtitle)
        _put(sheet, 4, 1, section.title).font = Font(bold=True, size=14)
        row = 5
        for sentence in section.summary:
            _put(sheet, row, 1, sentence)
            row += 1
        for table in section.tables:
            row += 1
            _put(sheet, row, 1, table.title).font = bold
            row += 1
            header_row = row
            for col, name in enumerate(table.columns, start=1):
                header = _put(sheet, row, col, name)
                header.font, header.fill = bold, header_fill
            for values in table.rows:
                row += 1
                for col, value in enumerate(values, start=1):
                    _put(sheet, row, col, value)
            if _chartable(table):
                chart = BarChart()
                chart.title = table.title
                chart.legend = None
                data = Reference(sheet, min_col=2, min_row=header_row, max_row=row)
                cats = Reference(sheet, min_col=1, min_row=header_row + 1, max_row=row)
                chart.add_data(data, titles_from_data=True)
                chart.set_categories(cats)
                chart.height, chart.width = 6.5, 14
                sheet.add_chart(chart, f"{_column(len(table.columns) + 2)}{header_row}")
        sheet.column_dimensions["A"].width = 36
        for col in range(2, 8):
            sheet.column_dimensions[_column(col)].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _chartable(table: Table) -> bool:
    return (
        len(table.columns) >= 2
        and bool(table.rows)
        and all(isinstance(r[1], int | float) for r in table.rows)
        and all(isinstance(r[0], str) for r in table.rows)
    )


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _put(sheet: Any, row: int, col: int, value: Cell) -> Any:
    """Write one typed cell; text is always text (a leading ``=`` never becomes a formula)."""
    cell = sheet.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def render(report: Report, fmt: ReportFormat, generated_at: datetime | None = None) -> bytes:
    """The report in ``fmt`` as bytes (HTML as UTF-8)."""
    if fmt is ReportFormat.pdf:
        return render_pdf(report, generated_at)
    if fmt is ReportFormat.xlsx:
        return render_xlsx(report, generated_at)
    return render_html(report, generated_at).encode("utf-8")
