"""Measure the Blue Book's figures from the domain tables for one period and scope.

The caller sets the scope on the session: an organisation (tenancy filters every query) or every
organisation (a system session). Spot checks belong to the regulator that ran them, so an
inspected organisation reads the checks of its own products through a logged bypass limited to
``subject_organisation_id``, as the spot-check domain does. Timestamps are bucketed by month in
Python so that the queries stay portable; figures the data cannot give (sales) stay ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation
from liveqc.complaints.models import Complaint
from liveqc.compliance.models import Finding, Scan
from liveqc.db import tenancy
from liveqc.engine.taxonomy import SEVERITIES
from liveqc.live_sessions.models import Alert, Host, LineupItem, LiveSession
from liveqc.products import service as products
from liveqc.products.models import InspectionLot, Product
from liveqc.reports import bluebook, render
from liveqc.reports.market import MarketFigure
from liveqc.reports.schemas import (
    MEDIA_TYPES,
    AfterSalesFigures,
    ChallengeFigures,
    Count,
    Counts,
    Figures,
    IndustryFigures,
    Period,
    QualityFigures,
    ReportFormat,
    RiskRow,
    SpotCheckFigures,
    SupervisionFigures,
    Trend,
)
from liveqc.reports.scope import reach_of, reading
from liveqc.spot_checks.models import Publication, PublicationStatus, SpotCheck

CHINA = timedelta(hours=8)
TOP = 5
#: Spot-check statuses that carry an outcome, and the outcome they mean.
OUTCOMES = {
    "passed": "passed",
    "overturned": "passed",
    "notified": "failed",
    "confirmed": "failed",
    "objected": "failed",
}

Progress = Callable[[str], None]


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC instants (days are China days: UTC+8)."""
    start = datetime.combine(period.start, time(), UTC) - CHINA
    end = datetime.combine(period.end, time(), UTC) - CHINA
    return start, end


def china_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware.astimezone(UTC) + CHINA).date()


def month_of(moment: datetime) -> str:
    return china_day(moment).strftime("%Y-%m")


def monthly(period: Period, moments: Iterable[datetime]) -> tuple[int, ...]:
    counts = Counter(month_of(m) for m in moments)
    return tuple(counts.get(month, 0) for month in period.months)


def counts(pairs: Iterable[str | None], order: Sequence[str] = ()) -> Counts:
    """Counts per key, in ``order`` first, then largest first (ties by key)."""
    tally = Counter(key or "unspecified" for key in pairs)
    known = [Count(k, tally[k]) for k in order if tally.get(k)]
    rest = sorted(
        ((k, n) for k, n in tally.items() if k not in order), key=lambda kv: (-kv[1], kv[0])
    )
    return tuple(known + [Count(k, n) for k, n in rest])


def collect(
    session: Session,
    *,
    period: Period,
    organisation: Organisation | None,
    market: Sequence[MarketFigure] = (),
    progress: Progress | None = None,
) -> Figures:
    """All figures for ``period`` in ``organisation``'s reach (see :mod:`.scope`; None:
    everyone, in a system session)."""
    step = progress or (lambda _name: None)
    start, end = bounds(period)
    reach = reach_of(session, organisation)
    with reading(session, reach, organisation):
        step("industry")
        industry = _industry(session, period, start, end, market)
        step("supervision")
        supervision, findings_by_product = _supervision(session, period, start, end)
        step("quality")
        quality = _quality(session, period, start, end)
        step("after_sales")
        after_sales, complaints_by_product = _after_sales(session, period, start, end)
        step("spot_checks")
        spot_checks = _spot_checks(session, reach.subjects, start, end)
        step("challenges")
        challenges = _challenges(session, supervision, findings_by_product, complaints_by_product)
    return Figures(
        period=period,
        scope=reach.scope,
        industry=industry,
        supervision=supervision,
        quality=quality,
        after_sales=after_sales,
        spot_checks=spot_checks,
        challenges=challenges,
    )


def _industry(
    session: Session, period: Period, start: datetime, end: datetime, market: Sequence[MarketFigure]
) -> IndustryFigures:
    when = func.coalesce(LiveSession.started_at, LiveSession.scheduled_at)
    rows = session.execute(select(LiveSession.id, when).where(when >= start, when < end)).all()
    ids = [row[0] for row in rows]
    hosts = products_shown = 0
    if ids:
        hosts = (
            session.scalar(
                select(func.count(func.distinct(Host.name))).where(Host.live_session_id.in_(ids))
            )
            or 0
        )
        products_shown = (
            session.scalar(
                select(func.count(func.distinct(LineupItem.product_id))).where(
                    LineupItem.live_session_id.in_(ids)
                )
            )
            or 0
        )
    return IndustryFigures(
        sessions=len(ids),
        hosts=hosts,
        products=products_shown,
        sales_yuan=None,
        sessions_by_month=monthly(period, (row[1] for row in rows)),
        market=tuple(market),
    )


def _supervision(
    session: Session, period: Period, start: datetime, end: datetime
) -> tuple[SupervisionFigures, Counter[int]]:
    scans = (
        session.scalar(
            select(func.count(Scan.id)).where(Scan.created_at >= start, Scan.created_at < end)
        )
        or 0
    )
    scan_rows = session.execute(
        select(
            Finding.code,
            Finding.severity,
            Finding.created_at,
            Scan.category,
            Scan.source_type,
            Scan.source_id,
        )
        .join(Scan, Scan.id == Finding.scan_id)
        .where(Finding.created_at >= start, Finding.created_at < end)
    ).all()
    alert_rows = session.execute(
        select(Alert.code, Alert.severity, Alert.created_at, Product.category, Product.id)
        .outerjoin(LineupItem, LineupItem.id == Alert.lineup_item_id)
        .outerjoin(Product, Product.id == LineupItem.product_id)
        .where(Alert.created_at >= start, Alert.created_at < end)
    ).all()
    by_product: Counter[int] = Counter()
    for scanned in scan_rows:
        if scanned.source_type == "product" and (scanned.source_id or "").isdigit():
            by_product[int(scanned.source_id)] += 1
    for alerted in alert_rows:
        if alerted.id is not None:
            by_product[int(alerted.id)] += 1
    rows: list[tuple[str, str, datetime, str | None]] = [
        (r.code, r.severity, r.created_at, r.category) for r in scan_rows
    ]
    rows += [(r.code, r.severity, r.created_at, r.category) for r in alert_rows]
    trend = tuple(
        Trend(severity, monthly(period, (r[2] for r in rows if r[1] == severity)))
        for severity in SEVERITIES
    )
    figures = SupervisionFigures(
        scans=scans,
        findings=len(rows),
        by_code=counts(r[0] for r in rows),
        by_category=counts(str(r[3]) if r[3] else None for r in rows),
        by_severity=counts((r[1] for r in rows), SEVERITIES),
        trend=trend,
    )
    return figures, by_product


def _quality(session: Session, period: Period, start: datetime, end: datetime) -> QualityFigures:
    listed = list(
        session.scalars(select(Product).where(Product.created_at < end).order_by(Product.id))
    )
    today = min(products.today_in_china(), period.end - timedelta(days=1))
    gaps: Counter[str] = Counter()
    with_gaps = 0
    for product in listed:
        missing = products.check_product_documents(session, product, today=today).missing
        if missing:
            with_gaps += 1
        for item in missing:
            if item.document_types:
                gaps[str(item.document_types[0])] += 1
    lots = (
        session.execute(
            select(InspectionLot.decision).where(
                InspectionLot.created_at >= start, InspectionLot.created_at < end
            )
        )
        .scalars()
        .all()
    )
    return QualityFigures(
        products=len(listed),
        vetting=counts(str(p.status) for p in listed),
        document_gaps=counts(gaps.elements()),
        products_with_gaps=with_gaps,
        lots_inspected=len(lots),
        inspection_outcomes=counts((str(d) for d in lots), ("accepted", "rejected", "pending")),
    )


def _met(done: datetime | None, due: date) -> bool:
    return done is not None and china_day(done) <= due


def _after_sales(
    session: Session, period: Period, start: datetime, end: datetime
) -> tuple[AfterSalesFigures, Counter[int]]:
    rows = list(
        session.scalars(
            select(Complaint).where(Complaint.received_at >= start, Complaint.received_at < end)
        )
    )
    last_day = min(products.today_in_china(), period.end - timedelta(days=1))
    due = met = 0
    for complaint in rows:
        deadlines = (
            (complaint.first_response_due, complaint.acknowledged_at or complaint.resolved_at),
            (complaint.resolution_due, complaint.resolved_at or complaint.closed_at),
        )
        for day, done in deadlines:
            if _met(done, day):
                due += 1
                met += 1
            elif day <= last_day:
                due += 1
    by_product = Counter(c.product_id for c in rows if c.product_id is not None)
    figures = AfterSalesFigures(
        complaints=len(rows),
        by_type=counts(str(c.category) for c in rows),
        deadlines_due=due,
        deadlines_met=met,
        remedies=counts(str(c.remedy) for c in rows if c.remedy is not None),
        by_month=monthly(period, (c.received_at for c in rows)),
    )
    return figures, by_product


def _spot_checks(
    session: Session, subjects: frozenset[int] | None, start: datetime, end: datetime
) -> SpotCheckFigures:
    """Checks run in the reach (a regulator's own), or checks of the reach's organisations'
    products (``subjects``), whoever ran them."""
    query = select(SpotCheck).where(SpotCheck.created_at >= start, SpotCheck.created_at < end)
    scope: Any = nullcontext()
    if subjects is not None:
        query = query.where(SpotCheck.subject_organisation_id.in_(sorted(subjects)))
        scope = tenancy.bypass_tenancy(
            session, reason=f"blue book: spot checks of {len(subjects)} organisation(s)"
        )
    with scope:
        checks = list(session.scalars(query))
        ids = [c.id for c in checks]
        published = 0
        if ids:
            published = (
                session.scalar(
                    select(func.count(func.distinct(Publication.spot_check_id))).where(
                        Publication.spot_check_id.in_(ids),
                        Publication.status == PublicationStatus.PUBLISHED,
                    )
                )
                or 0
            )
    return SpotCheckFigures(
        spot_checks=len(checks),
        by_status=counts(str(c.status) for c in checks),
        by_outcome=counts(
            (OUTCOMES[str(c.status)] for c in checks if str(c.status) in OUTCOMES),
            ("passed", "failed"),
        ),
        disclosed=published,
    )


def _challenges(
    session: Session,
    supervision: SupervisionFigures,
    findings: Counter[int],
    complaints: Counter[int],
) -> ChallengeFigures:
    ids = sorted(set(findings) | set(complaints))
    names = (
        dict(session.execute(select(Product.id, Product.name).where(Product.id.in_(ids))).all())
        if ids
        else {}
    )
    ranked = sorted(
        ids, key=lambda pid: (-(findings[pid] + complaints[pid]), -complaints[pid], pid)
    )
    rows = tuple(
        RiskRow(str(names.get(pid, f"#{pid}")), complaints[pid], findings[pid])
        for pid in ranked[:TOP]
        if pid in names
    )
    top_codes = tuple(sorted(supervision.by_code, key=lambda c: (-c.value, c.key))[:TOP])
    return ChallengeFigures(top_codes=top_codes, top_products=rows)


def generate(
    session: Session,
    *,
    period: Period,
    organisation: Organisation | None,
    fmt: ReportFormat,
    lang: str,
    market: Sequence[MarketFigure] = (),
    generated_at: datetime | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The Blue Book of ``period`` for the session's scope, rendered as ``fmt``."""
    figures = collect(
        session, period=period, organisation=organisation, market=market, progress=progress
    )
    report = bluebook.build(figures, lang)
    if progress:
        progress("render")
    return render.render(report, fmt, generated_at)


def attachment(body: bytes, *, period: Period, fmt: ReportFormat, lang: str) -> Response:
    """The rendered report as a download (never displayed inline by the browser)."""
    name = f"bluebook-{period.label}-{lang}.{fmt.value}"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
