"""The session compliance report: one data model, rendered as HTML (page and download) or PDF.

Contents: the session and its hosts (with the AI virtual-host label), the timeline, findings by
code and severity, prices said versus the 7-day price history, accepted findings with their
reasons, and comment alerts.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation
from liveqc.db.types import utcnow
from liveqc.live_sessions import service
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    Disposition,
    LiveSession,
    Segment,
)
from liveqc.products.models import Product
from liveqc.web.i18n import pick_locale, translator

TEMPLATES = Path(__file__).parent / "templates"
SEVERITIES = ("high", "medium", "low")
#: Longest timeline in a report; longer streams list the segments that raised alerts first.
MAX_TIMELINE = 2000
CJK_FONT = "STSong-Light"


def clock(ms: int | None) -> str:
    """Time in the stream as H:MM:SS."""
    if ms is None:
        return "—"
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class PriceLine:
    position: int
    product: str
    lowest_price_7d: float | None
    said: list[tuple[str, float, str, str]] = field(default_factory=list)
    above_low: list[float] = field(default_factory=list)


@dataclass
class ReportData:
    live: LiveSession
    organisation: str
    lineup: list[tuple[int, str, str]]
    timeline: list[tuple[Segment, list[Alert]]]
    timeline_total: int
    by_code: dict[str, dict[str, int]]
    prices: list[PriceLine]
    accepted: list[Alert]
    comment_alerts: list[Alert]
    script_alerts: list[Alert]
    alerts_total: int
    generated_at: datetime


def build(session: Session, live: LiveSession) -> ReportData:
    """Collect everything the report shows (read-only)."""
    org = session.get(Organisation, live.organisation_id)
    products = {
        p.id: p
        for p in session.scalars(
            select(Product).where(Product.id.in_([i.product_id for i in live.lineup]))
        )
    }
    lineup = [
        (i.position, products[i.product_id].name, products[i.product_id].sku)
        for i in live.lineup
        if i.product_id in products
    ]
    alerts, total = service.list_alerts(session, live, limit=100_000)
    by_segment: dict[int, list[Alert]] = {}
    by_code: dict[str, dict[str, int]] = {}
    for alert in alerts:
        if alert.segment_pk is not None:
            by_segment.setdefault(alert.segment_pk, []).append(alert)
        counts = by_code.setdefault(alert.code, dict.fromkeys(SEVERITIES, 0))
        counts[alert.severity] = counts.get(alert.severity, 0) + 1
    segments = list(
        session.scalars(
            select(Segment)
            .where(Segment.live_session_id == live.id)
            .order_by(Segment.seq)
            .limit(MAX_TIMELINE)
        )
    )
    segment_total = session.scalar(
        select(func.count(Segment.id)).where(Segment.live_session_id == live.id)
    )
    at = live.started_at or live.scheduled_at
    prices = []
    records = service.list_prices(session, live)
    for item in live.lineup:
        product = products.get(item.product_id)
        if product is None:
            continue
        low = service.lowest_price_7d(session, product.id, at)
        line = PriceLine(item.position, product.name, low)
        for r in records:
            if r.lineup_item_id == item.id:
                line.said.append((clock(r.at_ms), r.amount, r.kind, r.match))
                if low is not None and r.kind == "original" and r.amount > low:
                    line.above_low.append(r.amount)
        prices.append(line)
    return ReportData(
        live=live,
        organisation=org.name if org else "",
        lineup=lineup,
        timeline=[(s, by_segment.get(s.id, [])) for s in segments],
        timeline_total=segment_total or 0,
        by_code=dict(sorted(by_code.items())),
        prices=prices,
        accepted=[a for a in alerts if a.disposition is Disposition.ACCEPTED],
        comment_alerts=[a for a in alerts if a.source is AlertSource.COMMENT],
        script_alerts=[a for a in alerts if a.source is AlertSource.SCRIPT],
        alerts_total=total,
        generated_at=utcnow(),
    )


_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)


def severity_counts(data: ReportData) -> Counter[str]:
    totals: Counter[str] = Counter()
    for counts in data.by_code.values():
        totals.update(counts)
    return totals


def render_html(data: ReportData, locale: str = "zh-CN") -> str:
    """A standalone HTML document (its own styles, no external assets)."""
    return _env.get_template("report_document.html").render(
        r=data,
        t=translator(pick_locale(locale)),
        clock=clock,
        severities=SEVERITIES,
        totals=severity_counts(data),
        locale=pick_locale(locale),
    )


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    base = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "body": base,
        "h1": ParagraphStyle("h1", parent=base, fontSize=16, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=10),
        "label": ParagraphStyle("label", parent=base, textColor="#b91c1c", fontSize=11),
    }


def render_pdf(data: ReportData, locale: str = "zh-CN") -> bytes:
    """A PDF with a CJK font (reportlab's built-in STSong-Light CID font)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    t = translator(pick_locale(locale))
    st = _pdf_styles()

    def p(text: Any, style: str = "body") -> Paragraph:
        return Paragraph(escape(str(text)), st[style])

    def table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
        cells = [[c if isinstance(c, Paragraph) else p(c) for c in row] for row in rows]
        tbl = Table(cells, colWidths=widths, repeatRows=1)
        tbl.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return tbl

    live = data.live
    story: list[Any] = [p(f"{t('live_sessions.report.title')} · {live.title}", "h1")]
    if live.has_virtual_host:
        story.append(p(t("live_sessions.virtual_label"), "label"))
    story.append(
        p(
            f"{data.organisation} · {live.platform} · {live.room} · "
            f"{t('live_sessions.status.' + live.status.value)} · "
            f"{t('live_sessions.report.hosts')}: "
            + ", ".join(
                h.name + (f" ({t('live_sessions.virtual')})" if h.is_virtual else "")
                for h in live.hosts
            )
        )
    )
    story.append(p(t("live_sessions.report.by_code"), "h2"))
    rows: list[list[Any]] = [[t("live_sessions.report.code"), *data_severities(t)]]
    rows += [[code, *(c[s] for s in SEVERITIES)] for code, c in data.by_code.items()]
    story.append(table(rows))
    story.append(p(t("live_sessions.report.prices"), "h2"))
    rows = [
        [
            t("live_sessions.report.product"),
            t("live_sessions.report.low7d"),
            t("live_sessions.report.said"),
        ]
    ]
    for line in data.prices:
        said = "; ".join(f"{c} {m} = {a:g} ({k})" for c, a, k, m in line.said) or "—"
        low = "—" if line.lowest_price_7d is None else f"{line.lowest_price_7d:g}"
        rows.append([f"{line.position}. {line.product}", low, said])
    story.append(table(rows, [50 * mm, 25 * mm, 95 * mm]))
    story.append(p(t("live_sessions.report.accepted"), "h2"))
    rows = [
        [
            t("live_sessions.report.code"),
            t("live_sessions.report.sentence"),
            t("live_sessions.report.reason"),
        ]
    ]
    rows += [[a.code, a.sentence, a.reason] for a in data.accepted]
    story.append(table(rows, [35 * mm, 80 * mm, 55 * mm]))
    story.append(p(t("live_sessions.report.comments"), "h2"))
    rows = [
        [
            t("live_sessions.report.time"),
            t("live_sessions.report.code"),
            t("live_sessions.report.sentence"),
        ]
    ]
    rows += [[clock(a.at_ms), a.code, a.sentence] for a in data.comment_alerts]
    story.append(table(rows, [20 * mm, 40 * mm, 110 * mm]))
    story.append(p(t("live_sessions.report.timeline"), "h2"))
    rows = [
        [
            t("live_sessions.report.time"),
            t("live_sessions.report.speaker"),
            t("live_sessions.report.sentence"),
            t("live_sessions.report.code"),
        ]
    ]
    for seg, alerts in data.timeline:
        rows.append(
            [
                clock(seg.start_ms),
                seg.speaker,
                seg.text,
                ", ".join(sorted({a.code for a in alerts})),
            ]
        )
    story.append(table(rows, [18 * mm, 22 * mm, 95 * mm, 35 * mm]))
    story.append(Spacer(1, 6))
    story.append(p(t("live_sessions.report.generated", at=data.generated_at.isoformat())))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"{live.title}", leftMargin=20 * mm, rightMargin=20 * mm
    )
    doc.build(story)
    return buffer.getvalue()


def data_severities(t: Callable[..., str]) -> list[str]:
    return [t(f"live_sessions.severity.{s}") for s in SEVERITIES]


def download(session: Session, live: LiveSession, *, fmt: str, locale: str) -> Response:
    """The report as an attachment (never rendered inline)."""
    data = build(session, live)
    name = f"live-session-{live.id}-report.{fmt}"
    if fmt == "pdf":
        body, media = render_pdf(data, locale), "application/pdf"
    else:
        body, media = render_html(data, locale).encode("utf-8"), "text/html; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
