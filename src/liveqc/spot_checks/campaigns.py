"""Special governance campaigns (专项整治): a regulator's sweep of one theme over its jurisdiction.

A campaign names violation codes, optional product categories and a period. Running it reads,
through the audited :func:`~liveqc.spot_checks.jurisdiction.regulator_scope`, the stored
compliance findings, live-session alerts and transcript segments of the covered organisations,
re-scans the segments with each organisation's current engine (so rules added since the broadcast
count too) and stores a report: counts per organisation, code and category, the most frequent
matched phrases and example sentences.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation
from liveqc.accounts.service import Principal
from liveqc.compliance.models import Finding, Scan
from liveqc.compliance.service import engine_for
from liveqc.db import tenancy
from liveqc.engine.taxonomy import CODES
from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.jobs.progress import Progress, no_progress
from liveqc.live_sessions.models import Alert, LineupItem, LiveSession, Segment
from liveqc.products.models import Product, ProductCategory
from liveqc.spot_checks.jurisdiction import coverage, regulator_scope, require_regulator
from liveqc.spot_checks.models import Campaign

#: Example sentences kept in a report by default.
MAX_EXAMPLES = 20
#: Matched phrases listed in a report.
TOP_PHRASES = 10
FORMATS = ("json", "xlsx", "pdf")
MEDIA_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _clean_list(values: Iterable[str] | None, allowed: Sequence[str], field: str) -> list[str]:
    chosen: list[str] = []
    for value in values or ():
        value = str(value).strip()
        if value not in allowed:
            raise ValidationFailed(f"{field}: unknown {value!r} (one of {', '.join(allowed)})")
        if value not in chosen:
            chosen.append(value)
    return chosen


def create_campaign(
    session: Session,
    *,
    title: str,
    codes: Iterable[str],
    period_from: date,
    period_to: date,
    theme: str = "",
    categories: Iterable[str] | None = None,
    actor: Any = None,
) -> Campaign:
    """Define a campaign of the session's (regulator) organisation."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed("title: must be 1 to 200 characters")
    if len(theme or "") > 200:
        raise ValidationFailed("theme: at most 200 characters")
    chosen = _clean_list(codes, CODES, "codes")
    if not chosen:
        raise ValidationFailed("codes: name at least one violation code")
    cats = _clean_list(categories, [c.value for c in ProductCategory], "categories")
    if period_to < period_from:
        raise ValidationFailed("period_to: must not be before period_from")
    org_id = tenancy.current_organisation(session)
    if org_id is None:
        raise ValidationFailed("organisation: campaigns belong to a regulator")
    row = Campaign(
        organisation_id=org_id,
        title=title,
        theme=(theme or "").strip(),
        codes=chosen,
        categories=cats,
        period_from=period_from,
        period_to=period_to,
        created_by_user_id=getattr(actor, "id", None),
    )
    session.add(row)
    session.flush()
    record(session, actor, org_id, row, "create", None, {"title": title, "codes": chosen})
    return row


def get_campaign_or_raise(session: Session, campaign_id: int) -> Campaign:
    row = session.scalars(select(Campaign).where(Campaign.id == campaign_id)).first()
    if row is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    return row


def list_campaigns(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list, int]:
    rows = list(session.scalars(select(Campaign).order_by(Campaign.id.desc())))
    return rows[offset : offset + limit], len(rows)


def _engines(session: Session, org_ids: Iterable[int]) -> dict[int, Any]:
    """Each organisation's current compliance engine (its own dictionary, read in its tenancy)."""
    previous = tenancy.current_organisation(session)
    engines: dict[int, Any] = {}
    try:
        for org_id in org_ids:
            tenancy.set_organisation(session, org_id)
            engines[org_id] = engine_for(session, org_id, fresh=True)
    finally:
        tenancy.set_organisation(session, previous)
    return engines


def _at(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def run_campaign(
    session: Session,
    principal: Principal,
    *,
    campaign_id: int,
    path: str = "",
    max_examples: int = MAX_EXAMPLES,
    progress: Progress = no_progress,
) -> Campaign:
    """Collect the campaign's hits over the regulator's jurisdiction and store the report.

    ``progress(done, total, message)`` hears of each stored record and transcript segment read.
    """
    require_regulator(principal)
    campaign = get_campaign_or_raise(session, campaign_id)
    codes = set(campaign.codes)
    cats = set(campaign.categories)
    start = datetime.combine(campaign.period_from, time.min, UTC)
    end = datetime.combine(campaign.period_to + timedelta(days=1), time.min, UTC)
    engines = _engines(session, sorted(coverage(session, principal.organisation.id).organisations))
    hits: list[dict[str, Any]] = []

    def wanted(scope: Any, org_id: int, category: str | None) -> bool:
        if cats and category not in cats:
            return False
        return scope.coverage.covers(org_id, category)

    with regulator_scope(session, principal, path=path or f"campaign {campaign_id}") as scope:
        orgs = sorted(scope.coverage.organisations)
        findings = session.execute(
            select(Finding, Scan)
            .join(Scan, Finding.scan_id == Scan.id)
            .where(
                Finding.organisation_id.in_(orgs),
                Finding.code.in_(sorted(codes)),
                Finding.created_at >= start,
                Finding.created_at < end,
            )
            .order_by(Finding.id)
        ).all()
        progress(0, None, "findings")
        for finding, scan in findings:
            if not wanted(scope, finding.organisation_id, scan.category):
                continue
            scope.log(finding, owner_id=finding.organisation_id)
            hits.append(
                _hit(
                    "finding",
                    finding.organisation_id,
                    None,
                    finding.created_at,
                    None,
                    finding.code,
                    scan.category,
                    finding.match,
                    scan.text,
                )
            )
        seen: set[tuple[int, str]] = set()
        alerts = session.execute(
            select(Alert, Product.category)
            .outerjoin(LineupItem, LineupItem.id == Alert.lineup_item_id)
            .outerjoin(Product, Product.id == LineupItem.product_id)
            .where(
                Alert.organisation_id.in_(orgs),
                Alert.code.in_(sorted(codes)),
                Alert.created_at >= start,
                Alert.created_at < end,
            )
            .order_by(Alert.id)
        ).all()
        progress(len(findings), None, "alerts")
        for alert, category in alerts:
            category = str(category) if category else None
            if not wanted(scope, alert.organisation_id, category):
                continue
            scope.log(alert, owner_id=alert.organisation_id)
            if alert.segment_pk is not None:
                seen.add((alert.segment_pk, alert.code))
            hits.append(
                _hit(
                    "alert",
                    alert.organisation_id,
                    alert.live_session_id,
                    alert.created_at,
                    alert.at_ms,
                    alert.code,
                    category,
                    alert.match,
                    alert.sentence,
                )
            )
        segments = session.execute(
            select(Segment, Product.category)
            .outerjoin(LineupItem, LineupItem.id == Segment.lineup_item_id)
            .outerjoin(Product, Product.id == LineupItem.product_id)
            .where(
                Segment.organisation_id.in_(orgs),
                Segment.received_at >= start,
                Segment.received_at < end,
            )
            .order_by(Segment.id)
        ).all()
        read = len(findings) + len(alerts)
        steps = read + len(segments)
        progress(read, steps, "transcripts")
        for number, (segment, category) in enumerate(segments, start=read + 1):
            if number % 50 == 0:
                progress(number, steps, "transcripts")
            category = str(category) if category else None
            engine = engines.get(segment.organisation_id)
            if engine is None or not wanted(scope, segment.organisation_id, category):
                continue
            result = engine.check(segment.text, category=category, scene="transcript")
            found = [f for f in result.findings if f.code in codes]
            if not found:
                continue
            scope.log(segment, owner_id=segment.organisation_id)
            for f in found:
                if (segment.id, f.code) in seen:
                    continue
                seen.add((segment.id, f.code))
                hits.append(
                    _hit(
                        "rescan",
                        segment.organisation_id,
                        segment.live_session_id,
                        segment.received_at,
                        segment.start_ms,
                        f.code,
                        category,
                        f.match,
                        segment.text,
                    )
                )
        progress(steps, steps, "report")
        titles = _session_titles(session, {h["live_session_id"] for h in hits})
    names = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    report = _report(campaign, hits, names, titles, len(orgs), max_examples)
    campaign.report = report
    campaign.run_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        principal.user,
        campaign.organisation_id,
        campaign,
        "run",
        None,
        {"total": report["total"], "organisations": len(report["by_organisation"])},
    )
    return campaign


def _hit(
    source: str,
    org_id: int,
    live_session_id: int | None,
    at: datetime | None,
    at_ms: int | None,
    code: str,
    category: str | None,
    match: str,
    sentence: str,
) -> dict:
    return {
        "source": source, "organisation_id": org_id, "live_session_id": live_session_id,
        "at": _at(at), "at_ms": at_ms, "code": code, "category": category,
        "match": match or "", "sentence": (sentence or "")[:500],
    }  # fmt: skip


def _session_titles(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(
        select(LiveSession.id, LiveSession.title).where(LiveSession.id.in_(wanted))
    )
    return dict(rows.all())


def _report(
    campaign: Campaign,
    hits: list[dict[str, Any]],
    names: dict[int, str],
    titles: dict[int, str],
    covered: int,
    max_examples: int,
) -> dict[str, Any]:
    per_org = Counter(h["organisation_id"] for h in hits)
    per_code = Counter(h["code"] for h in hits)
    per_cat = Counter(h["category"] or "" for h in hits)
    phrases = Counter(h["match"] for h in hits if h["match"])
    examples = sorted(hits, key=lambda h: (h["at"] or "", h["organisation_id"]))[:max_examples]
    for h in examples:
        h["organisation"] = names.get(h["organisation_id"], "")
        h["session_title"] = titles.get(h["live_session_id"] or 0, "")
    return {
        "campaign_id": campaign.id,
        "title": campaign.title,
        "theme": campaign.theme,
        "codes": list(campaign.codes),
        "categories": list(campaign.categories),
        "period": {"from": campaign.period_from.isoformat(), "to": campaign.period_to.isoformat()},
        "organisations_covered": covered,
        "total": len(hits),
        "by_source": dict(Counter(h["source"] for h in hits)),
        "by_organisation": [
            {"organisation_id": o, "organisation": names.get(o, ""), "count": n}
            for o, n in sorted(per_org.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_code": {code: per_code.get(code, 0) for code in campaign.codes},
        "by_category": dict(sorted(per_cat.items(), key=lambda kv: (-kv[1], kv[0]))),
        "top_phrases": [{"phrase": p, "count": n} for p, n in phrases.most_common(TOP_PHRASES)],
        "examples": examples,
    }


def to_json(campaign: Campaign) -> dict[str, Any]:
    """The stored report as a structured document."""
    if campaign.report is None:
        raise ValidationFailed(f"campaign {campaign.id}: has not been run yet")
    return {"run_at": _at(campaign.run_at), **campaign.report}


Section = tuple[str, list[str], list[list[Any]]]


def _sections(doc: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[Section]]:
    """The report's summary rows and its tables, laid out once for every file format."""
    summary = [
        ("专项整治", doc["title"]),
        ("主题", doc["theme"]),
        ("违规类型", ", ".join(doc["codes"])),
        ("品类", ", ".join(doc["categories"]) or "全部"),
        ("期间", f"{doc['period']['from']} – {doc['period']['to']}"),
        ("覆盖机构数", doc["organisations_covered"]),
        ("命中总数", doc["total"]),
        ("运行时间", doc["run_at"] or ""),
    ]
    sheets: list[Section] = [
        ("按机构", ["机构", "命中数"],
         [[o["organisation"], o["count"]] for o in doc["by_organisation"]]),
        ("按违规类型", ["违规类型", "命中数"], [[c, n] for c, n in doc["by_code"].items()]),
        ("按品类", ["品类", "命中数"], [[c or "未知", n] for c, n in doc["by_category"].items()]),
        ("高频词", ["词句", "次数"], [[p["phrase"], p["count"]] for p in doc["top_phrases"]]),
        ("例句", ["机构", "直播场次", "时间", "违规类型", "品类", "命中", "原句", "来源"],
         [[e["organisation"], e["session_title"], e["at"] or "", e["code"], e["category"] or "",
           e["match"], e["sentence"], e["source"]] for e in doc["examples"]]),
    ]  # fmt: skip
    return summary, sheets


def to_xlsx(campaign: Campaign) -> bytes:
    """The stored report as a workbook: summary, breakdowns, phrases and examples."""
    from openpyxl import Workbook

    summary_rows, sheets = _sections(to_json(campaign))
    book = Workbook()
    summary = book.active
    summary.title = "概览"
    for row in summary_rows:
        summary.append(list(row))
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(campaign: Campaign) -> bytes:
    """The stored report as an A4 PDF with the same sections (Chinese text in STSong-Light)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("cjk", fontName="STSong-Light", fontSize=8, leading=10)
    heading = ParagraphStyle("cjk-h", fontName="STSong-Light", fontSize=12, leading=16)
    title_style = ParagraphStyle("cjk-t", fontName="STSong-Light", fontSize=15, leading=20)

    def para(value: Any, style: ParagraphStyle = body) -> Paragraph:
        text = str(value)
        return Paragraph(
            text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style
        )

    def table(rows: list[list[Any]]) -> Table:
        grid = Table([[para(cell) for cell in row] for row in rows], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return grid

    doc = to_json(campaign)
    summary_rows, sheets = _sections(doc)
    story: list[Any] = [para(f"专项整治报告：{doc['title']}", title_style), Spacer(1, 6)]
    story.append(table([["项目", "内容"], *[list(row) for row in summary_rows]]))
    for title, header, rows in sheets:
        story += [Spacer(1, 10), para(title, heading), Spacer(1, 4)]
        story.append(table([header, *rows]) if rows else para("无"))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=doc["title"], author="liveqc").build(story)
    return buffer.getvalue()
