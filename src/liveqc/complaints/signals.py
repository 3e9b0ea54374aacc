"""Risk signals from complaints: counts and rates per product, batch, host and live session over
sliding windows, and the alerts and product re-vettings they trigger.

A product whose complaints within 7 days reach the organisation's threshold, or any confirmed
safety incident, opens a re-vetting of the product (``liveqc.products.flows.open_revetting``)
and an alert stored in ``complaint_alerts``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.complaints import service, triage
from liveqc.complaints.models import AlertKind, Complaint, ComplaintAlert
from liveqc.errors import LiveQCError
from liveqc.events.service import record
from liveqc.products.models import Product

log = logging.getLogger("liveqc.complaints.signals")

WINDOWS = (7, 30)
#: The window the re-vetting threshold is counted over.
THRESHOLD_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Signal:
    """Complaints about one product, product batch, host or live session within a window."""

    dimension: str
    key: str
    label: str
    window_days: int
    count: int
    rate_per_day: float
    share: float
    is_above_threshold: bool


def should_open_revetting(count: int, threshold: int, *, safety_confirmed: bool = False) -> bool:
    """The decision: a confirmed safety incident, or complaints reaching the threshold."""
    return safety_confirmed or count >= threshold


def _window(query, now: dt.datetime, days: int):  # type: ignore[no-untyped-def]
    since = now - dt.timedelta(days=days)
    return query.where(
        Complaint.received_at > since,
        Complaint.received_at <= now,
        Complaint.duplicate_of_id.is_(None),
    )


def signals(session: Session, *, now: dt.datetime, organisation_id: int) -> list[Signal]:
    """Counts, rates (per day) and shares of the organisation's complaints, per product,
    product batch (key ``<product id>:<batch>``), host and live session, for each window;
    busiest first."""
    threshold = service.policy_for(session, organisation_id).revetting_threshold
    out: list[Signal] = []
    for days in WINDOWS:
        total = session.scalar(_window(select(func.count(Complaint.id)), now, days)) or 0
        groups = [
            (
                "product",
                select(Complaint.product_id, Product.name, func.count(Complaint.id))
                .join(Product, Product.id == Complaint.product_id)
                .group_by(Complaint.product_id, Product.name),
            ),
            (
                "batch",
                select(
                    Complaint.product_id,
                    Complaint.batch,
                    Product.name,
                    func.count(Complaint.id),
                )
                .join(Product, Product.id == Complaint.product_id)
                .where(Complaint.batch != "")
                .group_by(Complaint.product_id, Complaint.batch, Product.name),
            ),
            (
                "host",
                select(Complaint.host_name, Complaint.host_name, func.count(Complaint.id))
                .where(Complaint.host_name != "")
                .group_by(Complaint.host_name),
            ),
            (
                "live_session",
                select(
                    Complaint.live_session_id,
                    func.max(Complaint.room_reference),
                    func.count(Complaint.id),
                )
                .where(Complaint.live_session_id.is_not(None))
                .group_by(Complaint.live_session_id),
            ),
        ]
        for dimension, query in groups:
            for row in session.execute(_window(query, now, days)).all():
                if dimension == "batch":
                    product_id, batch, name, count = row
                    key, label = f"{product_id}:{batch}", f"{name} · {batch}"
                else:
                    key, label, count = row
                above = (
                    dimension == "product"
                    and days == THRESHOLD_WINDOW_DAYS
                    and should_open_revetting(count, threshold)
                )
                out.append(
                    Signal(
                        dimension,
                        str(key),
                        str(label or key),
                        days,
                        count,
                        round(count / days, 3),
                        round(count / total, 3) if total else 0.0,
                        above,
                    )
                )
    out.sort(key=lambda s: (s.window_days, -s.count, s.dimension, s.key))
    return out


def product_count(
    session: Session, *, organisation_id: int, product_id: int, now: dt.datetime, days: int
) -> int:
    """Complaints on one product within ``days`` (filtered by organisation by hand, because
    the public intake runs it inside a tenancy bypass)."""
    query = select(func.count(Complaint.id)).where(
        Complaint.organisation_id == organisation_id, Complaint.product_id == product_id
    )
    return session.scalar(_window(query, now, days)) or 0


def _open_revetting(session: Session, organisation_id: int, product_id: int, reason: str) -> bool:
    """Ask product QC to re-vet the product; False when that is not possible."""
    try:
        product_flows = importlib.import_module("liveqc.products.flows")
        open_revetting = product_flows.open_revetting
    except (ImportError, AttributeError):
        log.warning("product re-vetting is not available; alert stored for product %s", product_id)
        return False
    try:
        with triage.acting_for(session, organisation_id):
            open_revetting(session, product_id=product_id, reason=reason, source="complaints")
    except LiveQCError as exc:
        log.info("re-vetting of product %s not opened: %s", product_id, exc)
        return False
    return True


def _alert(session: Session, alert: ComplaintAlert, *, reason: str) -> ComplaintAlert:
    if alert.product_id is not None:
        alert.is_revetting_opened = _open_revetting(
            session, alert.organisation_id, alert.product_id, reason
        )
    session.add(alert)
    session.flush()
    record(
        session,
        None,
        alert.organisation_id,
        alert,
        "raise",
        None,
        {
            "kind": alert.kind,
            "product_id": alert.product_id,
            "count": alert.complaint_count,
            "revetting_opened": alert.is_revetting_opened,
        },
    )
    return alert


def _open_alert(session: Session, org_id: int, kind: AlertKind, **match: int) -> bool:
    query = select(ComplaintAlert.id).where(
        ComplaintAlert.organisation_id == org_id,
        ComplaintAlert.kind == kind,
        ComplaintAlert.resolved_at.is_(None),
    )
    for key, value in match.items():
        query = query.where(getattr(ComplaintAlert, key) == value)
    return session.scalars(query).first() is not None


def after_new_complaint(
    session: Session, complaint: Complaint, *, now: dt.datetime
) -> ComplaintAlert | None:
    """Check the complaint's product against the threshold; raise one open alert per product."""
    if complaint.product_id is None:
        return None
    org_id = complaint.organisation_id
    threshold = service.policy_for(session, org_id).revetting_threshold
    count = product_count(
        session,
        organisation_id=org_id,
        product_id=complaint.product_id,
        now=now,
        days=THRESHOLD_WINDOW_DAYS,
    )
    if not should_open_revetting(count, threshold):
        return None
    if _open_alert(session, org_id, AlertKind.PRODUCT_BURST, product_id=complaint.product_id):
        return None
    message = (
        f"{count} complaints on product {complaint.product_id} within "
        f"{THRESHOLD_WINDOW_DAYS} days (threshold {threshold})"
    )
    alert = ComplaintAlert(
        organisation_id=org_id,
        kind=AlertKind.PRODUCT_BURST,
        product_id=complaint.product_id,
        complaint_id=complaint.id,
        message=message,
        complaint_count=count,
        window_days=THRESHOLD_WINDOW_DAYS,
        created_at=now,
    )
    return _alert(session, alert, reason=message)


def on_safety_confirmed(
    session: Session, complaint: Complaint, *, now: dt.datetime
) -> ComplaintAlert | None:
    """A confirmed safety incident: one alert per complaint, and the product's re-vetting."""
    org_id = complaint.organisation_id
    if _open_alert(session, org_id, AlertKind.SAFETY_INCIDENT, complaint_id=complaint.id):
        return None
    message = f"confirmed safety incident in complaint {complaint.id}"
    alert = ComplaintAlert(
        organisation_id=org_id,
        kind=AlertKind.SAFETY_INCIDENT,
        product_id=complaint.product_id,
        complaint_id=complaint.id,
        message=message,
        complaint_count=1,
        created_at=now,
    )
    return _alert(session, alert, reason=message)


def list_alerts(
    session: Session, *, limit: int = 50, offset: int = 0, open_only: bool = False
) -> tuple[list[ComplaintAlert], int]:
    """The organisation's alerts, newest first."""
    query = select(ComplaintAlert)
    if open_only:
        query = query.where(ComplaintAlert.resolved_at.is_(None))
    total = session.scalar(query.with_only_columns(func.count(ComplaintAlert.id))) or 0
    rows = session.scalars(
        query.order_by(ComplaintAlert.created_at.desc(), ComplaintAlert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def get_alert_or_raise(session: Session, alert_id: int) -> ComplaintAlert:
    from liveqc.errors import NotFound

    row = session.scalars(select(ComplaintAlert).where(ComplaintAlert.id == alert_id)).first()
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return row
