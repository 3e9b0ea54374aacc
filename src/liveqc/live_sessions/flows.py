"""Live-session workflows: script review, ready / start / end, dispositions, suspended products.

Each flow checks its transition table, changes state, records an audit event and returns the
entity; an illegal step raises ``InvalidTransition``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db.types import utcnow
from liveqc.engine.facts import InvalidFacts
from liveqc.errors import InvalidTransition, ValidationFailed
from liveqc.events.service import record
from liveqc.live_sessions import service
from liveqc.live_sessions.ingest.hub import publish_after_commit
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    Disposition,
    LineupItem,
    LiveSession,
    LiveSessionStatus,
    Segment,
    SegmentKind,
)
from liveqc.live_sessions.schemas import AlertRead, DispositionIn
from liveqc.products.models import Product

S = LiveSessionStatus
#: flow → {from status: to status}
TRANSITIONS: dict[str, dict[LiveSessionStatus, LiveSessionStatus]] = {
    "mark_ready": {S.SCHEDULED: S.READY},
    "start": {S.READY: S.LIVE},
    "end": {S.LIVE: S.ENDED},
}
D = Disposition
#: disposition → the dispositions it may be reached from
DISPOSITIONS: dict[Disposition, frozenset[Disposition]] = {
    D.CORRECTED_ON_AIR: frozenset({D.OPEN, D.ESCALATED}),
    D.ACCEPTED: frozenset({D.OPEN, D.ESCALATED}),
    D.ESCALATED: frozenset({D.OPEN}),
}
#: Alert code for a product suspended while it is in a lineup (outside the scan taxonomy).
PRODUCT_SUSPENDED = "product_suspended"
UNRESOLVED = (D.OPEN, D.ESCALATED)


def _move(session: Session, live: LiveSession, flow: str, actor: Any) -> LiveSession:
    target = TRANSITIONS[flow].get(live.status)
    if target is None:
        raise InvalidTransition(f"live session {live.id} is {live.status}; cannot {flow}")
    before = live.status
    live.status = target
    if target is S.LIVE:
        live.started_at = utcnow()
    if target is S.ENDED:
        live.ended_at = utcnow()
    session.flush()
    record(session, actor, live.organisation_id, live, flow, {"status": before}, {"status": target})
    return live


def _scan_script(session: Session, item: LineupItem) -> list[dict[str, Any]]:
    if not item.script.strip():
        return []
    live = item.live_session
    product = session.get(Product, item.product_id)
    facts = service.product_facts(session, product, at=live.scheduled_at) if product else {}
    engine = service.engine_for(session, live.organisation_id)
    category = str(product.category) if product else None
    try:
        result = engine.check(item.script, category=category, facts=facts, scene="script")
    except InvalidFacts:
        result = engine.check(item.script, scene="script")
    return [{**f.to_dict(), "lineup_item_id": item.id} for f in result.findings]


def _key(lineup_item_id: int | None, rule: str, start: int, match: str) -> tuple[Any, ...]:
    return (lineup_item_id, rule, start, match)


def _script_alerts(session: Session, live: LiveSession) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert).where(
                Alert.live_session_id == live.id, Alert.source == AlertSource.SCRIPT
            )
        )
    )


def review_scripts(session: Session, live: LiveSession, *, actor: Any) -> list[Alert]:
    """Scan every lineup script with its product's facts; return the unresolved findings.

    Open findings of an earlier review are replaced; accepted and escalated ones are kept and
    not raised again.
    """
    kept = {}
    for alert in _script_alerts(session, live):
        if alert.disposition is D.OPEN:
            session.delete(alert)
        else:
            kept[_key(alert.lineup_item_id, alert.rule, alert.start, alert.match)] = alert
    session.flush()
    created = []
    for item in live.lineup:
        for f in _scan_script(session, item):
            if _key(item.id, f["rule"], f["start"], f["match"]) in kept:
                continue
            alert = Alert(
                live_session_id=live.id,
                source=AlertSource.SCRIPT,
                lineup_item_id=item.id,
                code=f["code"],
                rule=f["rule"],
                severity=f["severity"],
                start=f["start"],
                end=f["end"],
                match=f["match"][:500],
                basis=f["basis"][:500],
                message=f["message"],
                suggestion=f["suggestion"],
                sentence=item.script,
            )
            session.add(alert)
            created.append(alert)
    session.flush()
    record(
        session,
        actor,
        live.organisation_id,
        live,
        "review_scripts",
        None,
        {"findings": len(created), "kept": len(kept)},
    )
    return [a for a in _script_alerts(session, live) if a.disposition in UNRESOLVED]


def unresolved_script_findings(session: Session, live: LiveSession) -> list[dict[str, Any]]:
    """High-severity findings of the current scripts that no reviewer has accepted."""
    accepted = {
        _key(a.lineup_item_id, a.rule, a.start, a.match)
        for a in _script_alerts(session, live)
        if a.disposition in (D.ACCEPTED, D.CORRECTED_ON_AIR)
    }
    return [
        f
        for item in live.lineup
        for f in _scan_script(session, item)
        if f["severity"] == "high"
        and _key(item.id, f["rule"], f["start"], f["match"]) not in accepted
    ]


def mark_ready(session: Session, live: LiveSession, *, actor: Any) -> LiveSession:
    """Scheduled → ready, refused while a script has unresolved high-severity findings."""
    if TRANSITIONS["mark_ready"].get(live.status) is None:
        raise InvalidTransition(f"live session {live.id} is {live.status}; cannot mark_ready")
    blocking = unresolved_script_findings(session, live)
    if blocking:
        codes = ", ".join(sorted({f["code"] for f in blocking}))
        raise InvalidTransition(
            f"live session {live.id} has {len(blocking)} unresolved high-severity script "
            f"finding(s) ({codes}); run the script review, then fix the scripts or accept "
            "each finding with a written reason"
        )
    return _move(session, live, "mark_ready", actor)


def start(session: Session, live: LiveSession, *, actor: Any) -> LiveSession:
    """Ready → live (also done by the first ingested segment)."""
    return _move(session, live, "start", actor)


def end(session: Session, live: LiveSession, *, actor: Any) -> LiveSession:
    """Live → ended."""
    return _move(session, live, "end", actor)


def _check_correction(session: Session, alert: Alert, at_ms: int) -> Segment:
    if alert.at_ms is None or alert.segment_pk is None:
        raise ValidationFailed("disposition: only an alert raised on air can be corrected on air")
    if at_ms <= alert.at_ms:
        raise ValidationFailed(
            f"corrected_at_ms: {at_ms} is not after the alert at {alert.at_ms} ms"
        )
    raised_on = session.get(Segment, alert.segment_pk)
    segment = session.scalars(
        select(Segment)
        .where(
            Segment.live_session_id == alert.live_session_id,
            Segment.kind == SegmentKind.TRANSCRIPT,
            Segment.seq > (raised_on.seq if raised_on else 0),
            Segment.start_ms <= at_ms,
            Segment.end_ms >= at_ms,
        )
        .order_by(Segment.seq)
        .limit(1)
    ).first()
    if segment is None:
        raise ValidationFailed(
            f"corrected_at_ms: no later transcript segment covers {at_ms} ms; "
            "the correction must be said on air"
        )
    return segment


def dispose(session: Session, alert: Alert, *, data: DispositionIn, actor: Any) -> Alert:
    """Mark an alert corrected on air (checked against later segments), accepted with a
    reason, or escalated."""
    target = Disposition(data.disposition)
    if alert.disposition not in DISPOSITIONS[target]:
        raise InvalidTransition(f"alert {alert.id} is {alert.disposition}; cannot mark {target}")
    before = {"disposition": alert.disposition}
    if target is D.CORRECTED_ON_AIR:
        if data.corrected_at_ms is None:
            raise ValidationFailed("corrected_at_ms: required for corrected_on_air")
        segment = _check_correction(session, alert, data.corrected_at_ms)
        alert.corrected_at_ms = data.corrected_at_ms
        alert.correction_segment_id = segment.segment_id
    if target is D.ACCEPTED and not data.reason.strip():
        raise ValidationFailed("reason: required to accept a finding")
    alert.disposition = target
    alert.reason = data.reason.strip()
    alert.disposed_by_user_id = getattr(actor, "id", actor)
    alert.disposed_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        alert.organisation_id,
        alert,
        "dispose",
        before,
        {
            "disposition": target,
            "reason": alert.reason,
            "corrected_at_ms": alert.corrected_at_ms,
        },
    )
    publish_after_commit(
        session, alert.organisation_id, [AlertRead.model_validate(alert).model_dump(mode="json")]
    )
    return alert


def on_product_suspended(session: Session, product_id: int, *, actor: Any = None) -> list[Alert]:
    """Raise an alert in every session not yet ended whose lineup holds the product.

    Other domains call this when they suspend a product; runs in the caller's organisation.
    Idempotent: a lineup item that already has an open suspension alert gets no second one, so
    every caller on the suspension path may call it; the open alerts are returned either way.
    """
    rows = session.execute(
        select(LineupItem, LiveSession)
        .join(LiveSession, LiveSession.id == LineupItem.live_session_id)
        .where(LineupItem.product_id == product_id, LiveSession.status != S.ENDED)
    ).all()
    product = session.get(Product, product_id)
    name = product.name if product else str(product_id)
    alerts = []
    now = utcnow()
    already_open = {
        alert.lineup_item_id: alert
        for alert in session.scalars(
            select(Alert).where(
                Alert.code == PRODUCT_SUSPENDED,
                Alert.disposition == Disposition.OPEN,
                Alert.lineup_item_id.in_([item.id for item, _ in rows]),
            )
        )
    }
    existing = [already_open[item.id] for item, _ in rows if item.id in already_open]
    rows = [(item, live) for item, live in rows if item.id not in already_open]
    for item, live in rows:
        at_ms = None
        if live.status is S.LIVE and live.started_at is not None:
            at_ms = max(0, int((now - live.started_at).total_seconds() * 1000))
        alert = Alert(
            live_session_id=live.id,
            source=AlertSource.PRODUCT,
            lineup_item_id=item.id,
            code=PRODUCT_SUSPENDED,
            severity="high",
            match=name[:500],
            message=f"product {name} was suspended; take it off the lineup and stop selling it",
            suggestion="stop presenting the product and remove its purchase link",
            sentence=name,
            at_ms=at_ms,
        )
        session.add(alert)
        session.flush()
        record(
            session,
            actor,
            alert.organisation_id,
            alert,
            "product_suspended",
            None,
            {"product_id": product_id, "live_session_id": live.id},
        )
        alerts.append(alert)
    if alerts:
        publish_after_commit(
            session,
            alerts[0].organisation_id,
            [AlertRead.model_validate(a).model_dump(mode="json") for a in alerts],
        )
    return existing + alerts


def retention_cutoff(now: Any, years: int) -> Any:
    """``now`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def purge_expired_batch(
    session: Session, *, now: Any, batch_size: int = 100, dry_run: bool = False
) -> list[int]:
    """Delete up to ``batch_size`` of the current organisation's ended sessions whose
    retention has run out, with their segments, alerts and price records; audited.

    Only the retention policy decides (never below the legal minimum); returns the ids.
    """
    from sqlalchemy import delete

    from liveqc.live_sessions.models import Host, PriceRecord

    years = service.retention_years(session)
    cutoff = retention_cutoff(now, years)
    ids = list(
        session.scalars(
            select(LiveSession.id)
            .where(LiveSession.status == S.ENDED, LiveSession.ended_at < cutoff)
            .order_by(LiveSession.id)
            .limit(batch_size)
        )
    )
    if not ids or dry_run:
        return ids
    org_id = session.scalars(
        select(LiveSession.organisation_id).where(LiveSession.id == ids[0])
    ).one()
    counts = {}
    children: list[tuple[Any, Any]] = [
        (Alert, Alert.live_session_id),
        (PriceRecord, PriceRecord.live_session_id),
        (Segment, Segment.live_session_id),
        (LineupItem, LineupItem.live_session_id),
        (Host, Host.live_session_id),
        (LiveSession, LiveSession.id),
    ]
    for model, column in children:
        result = session.execute(
            delete(model).where(column.in_(ids)).execution_options(synchronize_session=False)
        )
        counts[model.__tablename__] = result.rowcount  # type: ignore[attr-defined]
    session.flush()
    record(
        session,
        None,
        org_id,
        ("live_sessions", ",".join(map(str, ids))[:60]),
        "purge_expired",
        None,
        {"ids": ids, "retention_years": years, "cutoff": cutoff, "deleted": counts},
    )
    return ids
