"""Live-session queries and single-entity changes (session first, flush, never commit).

Tenancy is applied by the session: a row of another organisation is simply not found.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.engine import ComplianceEngine
from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    Disposition,
    Host,
    LineupItem,
    LiveSession,
    LiveSessionStatus,
    PriceRecord,
    RetentionPolicy,
)
from liveqc.live_sessions.schemas import HostCreate, LineupItemCreate, LiveSessionCreate
from liveqc.products.models import Product, ProductPrice, ProductStatus

#: Hosts must be at least this old on the session date (Live-Streaming Marketing Measures).
MIN_HOST_AGE = 16
#: Legal minimum retention of transcripts, findings, dispositions and price records.
MIN_RETENTION_YEARS = 3


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def get_or_raise(session: Session, live_session_id: int) -> LiveSession:
    row = session.scalars(select(LiveSession).where(LiveSession.id == live_session_id)).first()
    if row is None:
        raise NotFound(f"live session {live_session_id} does not exist")
    return row


def list_(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    status: LiveSessionStatus | None = None,
) -> tuple[list[LiveSession], int]:
    query = select(LiveSession)
    if status is not None:
        query = query.where(LiveSession.status == status)
    total = session.scalar(query.with_only_columns(func.count(LiveSession.id))) or 0
    rows = session.scalars(
        query.order_by(LiveSession.scheduled_at.desc(), LiveSession.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def create(session: Session, *, data: LiveSessionCreate, actor: Any) -> LiveSession:
    """A scheduled session with its hosts and lineup (each checked as when added alone)."""
    live = LiveSession(
        platform=data.platform,
        room=data.room,
        title=data.title,
        scheduled_at=data.scheduled_at,
        status=LiveSessionStatus.SCHEDULED,
    )
    session.add(live)
    session.flush()
    record(
        session,
        actor,
        live.organisation_id,
        live,
        "create",
        None,
        {"title": live.title, "platform": live.platform, "room": live.room},
    )
    for host in data.hosts:
        add_host(session, live, data=host, actor=actor)
    for item in data.lineup:
        add_lineup_item(session, live, data=item, actor=actor)
    return live


def _refuse_when_ended(live: LiveSession, what: str) -> None:
    if live.status is LiveSessionStatus.ENDED:
        raise ValidationFailed(f"live session {live.id} has ended; cannot {what}")


def add_host(session: Session, live: LiveSession, *, data: HostCreate, actor: Any) -> Host:
    """Add a host; a person under 16 on the session date is refused, a virtual host labels
    the whole stream."""
    _refuse_when_ended(live, "add a host")
    if not data.is_virtual:
        if data.birth_date is None:
            raise ValidationFailed("birth_date: required for a host who is a person")
        day = live.scheduled_at.date()
        age = age_on(data.birth_date, day)
        if age < MIN_HOST_AGE:
            raise ValidationFailed(
                f"birth_date: host {data.name!r} is {age} on the session date {day}; "
                f"hosts must be at least {MIN_HOST_AGE}"
            )
    host = Host(
        live_session_id=live.id,
        name=data.name,
        birth_date=data.birth_date,
        is_virtual=data.is_virtual,
    )
    live.hosts.append(host)
    if data.is_virtual:
        live.has_virtual_host = True
    session.flush()
    record(
        session,
        actor,
        live.organisation_id,
        live,
        "add_host",
        None,
        {"host": host.name, "is_virtual": host.is_virtual},
    )
    return host


def add_lineup_item(
    session: Session, live: LiveSession, *, data: LineupItemCreate, actor: Any
) -> LineupItem:
    """Put an approved product in the lineup (at the end unless a free position is given)."""
    _refuse_when_ended(live, "change the lineup")
    product = session.scalars(select(Product).where(Product.id == data.product_id)).first()
    if product is None:
        raise ValidationFailed(f"product_id: product {data.product_id} does not exist")
    if product.status != ProductStatus.APPROVED:
        raise ValidationFailed(
            f"product_id: product {product.id} ({product.name}) is {product.status}; "
            "only approved products can go in a lineup"
        )
    taken = {item.position for item in live.lineup}
    position = data.position or (max(taken, default=0) + 1)
    if position in taken:
        raise ValidationFailed(f"position: position {position} is already taken")
    item = LineupItem(
        live_session_id=live.id, product_id=product.id, position=position, script=data.script
    )
    live.lineup.append(item)
    session.flush()
    record(
        session,
        actor,
        live.organisation_id,
        live,
        "add_lineup_item",
        None,
        {"product_id": product.id, "position": position},
    )
    return item


def get_lineup_item_or_raise(session: Session, item_id: int) -> LineupItem:
    item = session.scalars(select(LineupItem).where(LineupItem.id == item_id)).first()
    if item is None:
        raise NotFound(f"lineup item {item_id} does not exist")
    return item


def lowest_price_7d(session: Session, product_id: int, at: datetime) -> float | None:
    """The lowest price actually charged for the product in the 7 days before ``at``."""
    low = session.scalar(
        select(func.min(ProductPrice.price)).where(
            ProductPrice.product_id == product_id,
            ProductPrice.charged_at >= at - timedelta(days=7),
            ProductPrice.charged_at < at,
        )
    )
    return None if low is None else float(low)


def product_facts(
    session: Session, product: Product, *, at: datetime | None = None
) -> dict[str, Any]:
    """The compliance contract's facts for ``product`` at ``at`` (the product domain's, when
    present; else category and brand), with ``lowest_price_7d`` before ``at`` when known."""
    try:
        from liveqc.products.flows import product_facts as from_products
    except ImportError:
        facts: dict[str, Any] = {"category": str(product.category)}
        if product.brand:
            facts["brand"] = product.brand
    else:
        facts = dict(from_products(session, product.id, at=at))
    if at is not None:
        low = lowest_price_7d(session, product.id, at)
        if low is not None:
            facts["lowest_price_7d"] = low
    return facts


@cache
def _default_engine() -> ComplianceEngine:
    return ComplianceEngine()


def engine_for(
    session: Session, organisation_id: int, *, fingerprint: str | None = None
) -> ComplianceEngine:
    """The organisation's compliance engine (the compliance domain's, when present); see
    ``liveqc.compliance.service.engine_for`` for ``fingerprint``."""
    try:
        from liveqc.compliance.service import engine_for as from_compliance
    except ImportError:
        return _default_engine()
    return from_compliance(session, organisation_id, fingerprint=fingerprint)


def list_alerts(
    session: Session,
    live: LiveSession,
    *,
    limit: int = 50,
    offset: int = 0,
    after_id: int = 0,
    source: AlertSource | None = None,
    disposition: Disposition | None = None,
) -> tuple[list[Alert], int]:
    query = select(Alert).where(Alert.live_session_id == live.id, Alert.id > after_id)
    if source is not None:
        query = query.where(Alert.source == source)
    if disposition is not None:
        query = query.where(Alert.disposition == disposition)
    total = session.scalar(query.with_only_columns(func.count(Alert.id))) or 0
    rows = session.scalars(query.order_by(Alert.id).limit(limit).offset(offset))
    return list(rows), total


def get_alert_or_raise(session: Session, live: LiveSession, alert_id: int) -> Alert:
    alert = session.scalars(
        select(Alert).where(Alert.id == alert_id, Alert.live_session_id == live.id)
    ).first()
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist in live session {live.id}")
    return alert


def list_prices(session: Session, live: LiveSession) -> list[PriceRecord]:
    return list(
        session.scalars(
            select(PriceRecord)
            .where(PriceRecord.live_session_id == live.id)
            .order_by(PriceRecord.at_ms, PriceRecord.id)
        )
    )


def retention_years(session: Session) -> int:
    """The current organisation's retention in years (default and floor: the legal minimum)."""
    policy = session.scalars(select(RetentionPolicy)).first()
    return max(policy.years, MIN_RETENTION_YEARS) if policy else MIN_RETENTION_YEARS


def set_retention_years(session: Session, *, years: int, actor: Any) -> RetentionPolicy:
    if years < MIN_RETENTION_YEARS:
        raise ValidationFailed(
            f"years: retention cannot be below the legal minimum of {MIN_RETENTION_YEARS} years"
        )
    policy = session.scalars(select(RetentionPolicy)).first()
    before = {"years": policy.years if policy else MIN_RETENTION_YEARS}
    if policy is None:
        policy = RetentionPolicy(years=years)
        session.add(policy)
    policy.years = years
    session.flush()
    record(
        session, actor, policy.organisation_id, policy, "set_retention", before, {"years": years}
    )
    return policy
