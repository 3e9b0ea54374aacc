"""Home panels of regulators and consumer associations, and the per-domain summary.

Reads across organisations go through the owning domains' audited helpers
(``spot_checks.jurisdiction.regulator_scope``, ``complaints.service.list_escalated``), which
write the access log and audit entries those reads always write.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.complaints import service as complaints
from liveqc.complaints.models import OPEN_STATUSES, Complaint
from liveqc.compliance import service as compliance
from liveqc.compliance.models import FindingStatus
from liveqc.dashboards.figures import (
    CHART_MONTHS,
    FEW,
    LIST_CAP,
    ChartData,
    Figure,
    Item,
    Panel,
    drill,
    local_day,
    month_start,
    per_period,
)
from liveqc.products import service as products

# -- regulator -------------------------------------------------------------------------------

IN_PROGRESS = ("drawn", "sampled", "tested", "objected")


def regulator_risk(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Agencies and products under the jurisdiction with a risk score, highest first; each
    listed subject is written to its owner's access log, as the risk API does."""
    from liveqc.spot_checks import jurisdiction, risk

    figures = []
    shown: list[Item] = []
    with jurisdiction.regulator_scope(session, principal, path="/") as scope:
        org_ids = sorted(scope.coverage.organisations)
        for subject in (risk.Subject.AGENCIES, risk.Subject.PRODUCTS):
            scored = [s for s in risk.scores(session, subject, org_ids) if s.score > 0]
            listed = scored[:LIST_CAP]
            for row in listed:
                scope.log_ref(
                    risk.TABLES[subject], row.id, owner_id=row.organisation_id, action="risk"
                )
            key = subject.value
            items = tuple(
                Item(s.name, drill("risk", key), f"dashboards.subject.{key}", f"{s.score:g}")
                for s in listed
            )
            figures.append(Figure(key, len(scored), drill("risk", key), items))
            shown.extend(items[:3])
    return Panel("risk", tuple(figures), tuple(shown[: FEW + 1]))


def regulator_checks(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """The regulator's spot checks not yet concluded (drawn, sampled, tested, objected)."""
    from liveqc.spot_checks import service as spot_checks

    figures = []
    items: list[Item] = []
    for status in IN_PROGRESS:
        rows, total = spot_checks.list_checks(
            session, principal=principal, status=status, limit=LIST_CAP
        )
        found = []
        for check in rows:
            names = spot_checks.product_snapshot(session, check, reader=principal, path="/")
            found.append(
                Item(
                    names["product"] or f"#{check.id}",
                    "/spot-checks",
                    f"dashboards.check.{status}",
                    names["agency"],
                    check.updated_at,
                )
            )
        items.extend(found)
        figures.append(Figure(status, total, "/spot-checks", tuple(found)))
    items.sort(key=lambda i: (i.when or now, i.label))
    return Panel("checks", tuple(figures), tuple(items[:FEW]))


def regulator_campaigns(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Governance campaigns of the regulator: running now (today in their period) and all."""
    from liveqc.spot_checks import campaigns

    rows, total = campaigns.list_campaigns(session, limit=LIST_CAP)
    today = local_day(now)

    def item(c: object) -> Item:
        period = f"{c.period_from} – {c.period_to}"  # type: ignore[attr-defined]
        href = f"/spot-checks/campaigns/{c.id}"  # type: ignore[attr-defined]
        return Item(c.title, href, "", period, c.run_at)  # type: ignore[attr-defined]

    current = [c for c in rows if c.period_from <= today <= c.period_to]
    listed = "/spot-checks/campaigns"
    figures = (
        Figure("current", len(current), f"{listed}?state=current", tuple(item(c) for c in current)),
        Figure("all", total, listed, tuple(item(c) for c in rows)),
    )
    return Panel("campaigns", figures, tuple(item(c) for c in current[:FEW]))


# -- escalations (consumer association, regulator) -------------------------------------------


def escalated_complaints(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Complaints escalated to the organisation (open ones first) and their types per month."""
    rows, total = complaints.list_escalated(session, principal=principal, limit=10_000)
    open_rows = [r for r in rows if r.status in OPEN_STATUSES]

    def item(r: Complaint) -> Item:
        return Item(
            r.tracking_code,
            f"/complaints/{r.id}",
            f"complaints.cat.{r.category.value}",
            "",
            r.escalated_at,
        )

    month = month_start(local_day(now))
    months = [month]
    while len(months) < CHART_MONTHS:
        months.insert(0, month_start(months[0] - dt.timedelta(days=1)))
    chart = ChartData(
        "stacked",
        "dashboards.chart.complaints_per_type",
        tuple(m.strftime("%Y-%m") for m in months),
        "dashboards.chart.month",
        per_period(
            ((r.category.value, r.received_at) for r in rows), months, month_start, "complaints.cat"
        ),
    )
    figures = (
        Figure(
            "open",
            len(open_rows),
            drill("escalated", "open"),
            tuple(item(r) for r in open_rows[:LIST_CAP]),
            bool(open_rows),
        ),
        Figure("all", total, "/complaints", tuple(item(r) for r in rows[:LIST_CAP])),
    )
    return Panel("escalated", figures, tuple(item(r) for r in open_rows[:FEW]), chart)


# -- everyone else ---------------------------------------------------------------------------


def summary(session: Session, *, principal: Principal, now: dt.datetime) -> Panel:
    """Counts per domain in the current organisation, each linked to its list."""
    from liveqc.live_sessions import service as live_sessions

    _, product_count = products.list_products(session, limit=1)
    _, session_count = live_sessions.list_(session, limit=1)
    _, finding_count = compliance.list_findings(session, limit=1, status=FindingStatus.OPEN)
    _, complaint_count = complaints.queue(session, limit=1)
    figures = (
        Figure("products", product_count, "/products"),
        Figure("live_sessions", session_count, "/live-sessions"),
        Figure("open_findings", finding_count, "/compliance/findings?status=open"),
        Figure("open_complaints", complaint_count, "/complaints"),
    )
    return Panel("summary", figures)
