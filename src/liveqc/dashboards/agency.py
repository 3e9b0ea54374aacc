"""Home panels of agency and platform staff: QC reviewer, compliance reviewer, after-sales.

Every query runs through the caller's tenant-scoped session, so a panel counts exactly what the
organisation's own lists show.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.complaints import service as complaints
from liveqc.complaints.models import OPEN_STATUSES, Complaint
from liveqc.compliance import service as compliance
from liveqc.compliance.models import Finding, FindingStatus
from liveqc.dashboards.figures import (
    CHART_WEEKS,
    CHINA_TZ,
    FEW,
    LIST_CAP,
    RECENT_DAYS,
    ChartData,
    Figure,
    Item,
    Panel,
    drill,
    local_day,
    per_period,
    week_start,
)
from liveqc.live_sessions.models import Alert, Disposition, LiveSession, LiveSessionStatus
from liveqc.products import service as products
from liveqc.products.models import InspectionLot, LotDecisionStatus, Product, VettingEvent
from liveqc.products.models import ProductStatus as PS

WAITING = (PS.SUBMITTED, PS.DOCUMENTS_REVIEW, PS.SAMPLE_TESTING)

# -- QC reviewer -----------------------------------------------------------------------------


def _since(session: Session, rows: list[Product]) -> dict[int, dt.datetime]:
    """When each product entered its current state (its last vetting step there)."""
    if not rows:
        return {}
    query = (
        select(VettingEvent.product_id, VettingEvent.to_status, func.max(VettingEvent.at))
        .where(VettingEvent.product_id.in_([p.id for p in rows]))
        .group_by(VettingEvent.product_id, VettingEvent.to_status)
    )
    entered = {(pid, PS(status)): at for pid, status, at in session.execute(query)}
    return {p.id: entered.get((p.id, p.status)) or p.updated_at for p in rows}


def qc_vetting(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Products waiting at each vetting step, and the few that have waited longest."""
    rows = list(session.scalars(select(Product).where(Product.status.in_(WAITING))))
    since = _since(session, rows)
    oldest = sorted(rows, key=lambda p: (since[p.id], p.id))
    items = [
        Item(p.name, f"/products/{p.id}", f"dashboards.status.{p.status.value}", p.sku, since[p.id])
        for p in oldest
    ]
    figures = tuple(
        Figure(
            status.value,
            sum(1 for p in rows if p.status is status),
            f"/products?status={status.value}",
            tuple(i for i, p in zip(items, oldest, strict=True) if p.status is status)[:LIST_CAP],
        )
        for status in WAITING
    )
    return Panel("vetting", figures, tuple(items[:FEW]))


def qc_documents(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Documents expiring within 30 days, expired ones and requirements-matrix gaps."""
    today = local_day(now)
    live = set(PS) - {PS.WITHDRAWN, PS.REJECTED}
    query = select(Product).where(Product.status.in_(sorted(live))).order_by(Product.id)
    expiring: list[Item] = []
    expired: list[Item] = []
    missing: list[Item] = []
    for product in session.scalars(query):
        check = products.check_product_documents(session, product, today=today)
        href = f"/products/{product.id}"
        for issue in check.expiring:
            key = f"dashboards.doc.{issue.type.value}"
            expiring.append(Item(product.name, href, key, issue.number, issue.valid_to))
        for issue in check.expired:
            if not issue.superseded:
                key = f"dashboards.doc.{issue.type.value}"
                expired.append(Item(product.name, href, key, issue.number, issue.valid_to))
        for gap in check.missing:
            key = f"dashboards.doc.{gap.document_types[0].value}" if gap.document_types else ""
            missing.append(Item(product.name, href, key))
    expiring.sort(key=lambda i: (i.when or today, i.label))
    expired.sort(key=lambda i: (i.when or today, i.label))

    def figure(key: str, rows: list[Item], urgent: bool = False) -> Figure:
        return Figure(key, len(rows), drill("documents", key), tuple(rows[:LIST_CAP]), urgent)

    figures = (
        figure("expiring", expiring),
        figure("expired", expired, urgent=True),
        figure("missing", missing, urgent=True),
    )
    return Panel("documents", figures, tuple((expired + expiring)[:FEW]))


def qc_lots(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Inspection lots rejected in the last 30 days."""
    start = now - dt.timedelta(days=RECENT_DAYS)
    decided = func.coalesce(InspectionLot.decided_at, InspectionLot.created_at)
    query = (
        select(InspectionLot, Product.name)
        .join(Product, Product.id == InspectionLot.product_id)
        .where(InspectionLot.decision == LotDecisionStatus.REJECTED, decided >= start)
        .order_by(decided.desc(), InspectionLot.id.desc())
    )
    items = tuple(
        Item(name, f"/products/{lot.product_id}", "", lot.lot_number, lot.decided_at)
        for lot, name in session.execute(query)
    )
    figure = Figure("rejected", len(items), drill("lots", "rejected"), items[:LIST_CAP], True)
    return Panel("lots", (figure,), items[:FEW])


# -- compliance reviewer ---------------------------------------------------------------------


def compliance_live(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Rooms live now and rooms ready or scheduled to go live today (China time)."""
    today = local_day(now)
    live = list(
        session.scalars(
            select(LiveSession)
            .where(LiveSession.status == LiveSessionStatus.LIVE)
            .order_by(LiveSession.started_at, LiveSession.id)
        )
    )
    pending = session.scalars(
        select(LiveSession)
        .where(LiveSession.status.in_([LiveSessionStatus.READY, LiveSessionStatus.SCHEDULED]))
        .order_by(LiveSession.scheduled_at, LiveSession.id)
    )
    ready = [s for s in pending if local_day(s.scheduled_at) == today]

    def item(row: LiveSession, when: dt.datetime | None) -> Item:
        tag = f"dashboards.session.{row.status.value}"
        return Item(row.title, f"/live-sessions/{row.id}", tag, row.room, when)

    live_items = tuple(item(s, s.started_at) for s in live)
    ready_items = tuple(item(s, s.scheduled_at) for s in ready)
    figures = (
        Figure("live", len(live), "/live-sessions/monitor", live_items[:LIST_CAP], bool(live)),
        Figure("ready_today", len(ready), drill("live", "ready_today"), ready_items[:LIST_CAP]),
    )
    return Panel("live", figures, (live_items + ready_items)[:FEW])


def compliance_risks(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Open high-severity findings and live alerts, and findings per code over 8 weeks."""
    findings, total = compliance.list_findings(
        session, limit=LIST_CAP, severity="high", status=FindingStatus.OPEN
    )
    finding_items = tuple(
        Item(
            f.match,
            f"/compliance/scans/{f.scan_id}#f-{f.id}",
            f"compliance.code.{f.code}",
            "",
            f.created_at,
        )
        for f in findings
    )
    alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.severity == "high", Alert.disposition == Disposition.OPEN)
            .order_by(Alert.created_at.desc(), Alert.id.desc())
        )
    )
    alert_items = tuple(
        Item(
            a.match or a.code,
            f"/live-sessions/{a.live_session_id}",
            f"compliance.code.{a.code}",
            "",
            a.created_at,
        )
        for a in alerts
    )
    this_week = week_start(local_day(now))
    weeks = [this_week - dt.timedelta(weeks=k) for k in range(CHART_WEEKS - 1, -1, -1)]
    start = dt.datetime.combine(weeks[0], dt.time(), CHINA_TZ)
    raised = [
        *session.execute(
            select(Finding.code, Finding.created_at).where(Finding.created_at >= start)
        ),
        *session.execute(select(Alert.code, Alert.created_at).where(Alert.created_at >= start)),
    ]
    chart = ChartData(
        "stacked",
        "dashboards.chart.findings_per_code",
        tuple(w.strftime("%m-%d") for w in weeks),
        "dashboards.chart.week",
        per_period(raised, weeks, week_start, "compliance.code"),
    )
    figures = (
        Figure(
            "high_findings",
            total,
            "/compliance/findings?severity=high&status=open",
            finding_items,
            bool(total),
        ),
        Figure(
            "high_alerts",
            len(alerts),
            drill("risks", "high_alerts"),
            alert_items[:LIST_CAP],
            bool(alerts),
        ),
    )
    return Panel("risks", figures, (alert_items[:3] + finding_items)[:FEW], chart)


# -- after-sales -----------------------------------------------------------------------------


def after_sales_queue(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Open complaints by deadline: overdue, due today, due within 3 working days; escalated."""
    rows, total = complaints.queue(session, limit=10_000)
    buckets: dict[str, list[Item]] = {"overdue": [], "due_today": [], "due_soon": []}
    queue_items = []
    for row in rows:
        left = complaints.working_days_left(row, now)
        item = Item(
            row.tracking_code,
            f"/complaints/{row.id}",
            f"complaints.cat.{row.category.value}",
            "" if left is None else str(left),
            complaints.next_due(row),
        )
        queue_items.append(item)
        if left is None:
            continue
        if left < 0 or complaints.is_overdue(row, now):
            buckets["overdue"].append(item)
        elif left == 0:
            buckets["due_today"].append(item)
        elif left <= 3:
            buckets["due_soon"].append(item)
    escalated = [
        Item(
            r.tracking_code,
            f"/complaints/{r.id}",
            f"complaints.cat.{r.category.value}",
            "",
            r.escalated_at,
        )
        for r in session.scalars(
            select(Complaint)
            .where(Complaint.escalated_at.is_not(None), Complaint.status.in_(OPEN_STATUSES))
            .order_by(Complaint.escalated_at.desc(), Complaint.id.desc())
        )
    ]
    figures = (
        Figure(
            "overdue",
            len(buckets["overdue"]),
            drill("queue", "overdue"),
            tuple(buckets["overdue"][:LIST_CAP]),
            bool(buckets["overdue"]),
        ),
        Figure(
            "due_today",
            len(buckets["due_today"]),
            drill("queue", "due_today"),
            tuple(buckets["due_today"][:LIST_CAP]),
            bool(buckets["due_today"]),
        ),
        Figure(
            "due_soon",
            len(buckets["due_soon"]),
            drill("queue", "due_soon"),
            tuple(buckets["due_soon"][:LIST_CAP]),
        ),
        Figure(
            "escalated", len(escalated), drill("queue", "escalated"), tuple(escalated[:LIST_CAP])
        ),
        Figure("open", total, "/complaints", tuple(queue_items[:LIST_CAP])),
    )
    return Panel("queue", figures, tuple(queue_items[:FEW]))
