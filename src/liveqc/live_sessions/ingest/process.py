"""Store and scan a batch of segments: idempotent by segment id, ordered by seq.

Ordering policy (one writer at a time per session, the session row is locked):

- a segment whose id is already stored is acknowledged as ``duplicate`` and not stored again;
- the next segment must carry ``seq == last_seq + 1`` and is ``stored``;
- a higher seq is a ``gap``: it is refused, nothing after it in the batch is stored, and the
  ack names the ``expected_seq`` the client must resend from;
- a lower seq with a new id is ``stale`` (that seq is already taken by another segment).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from liveqc.db.types import utcnow
from liveqc.engine.facts import InvalidFacts
from liveqc.engine.prices import extract_prices
from liveqc.errors import NotFound
from liveqc.live_sessions import flows, service
from liveqc.live_sessions.ingest.hub import publish_after_commit
from liveqc.live_sessions.models import (
    Alert,
    AlertSource,
    LiveSession,
    LiveSessionStatus,
    PriceRecord,
    Segment,
    SegmentKind,
)
from liveqc.live_sessions.schemas import AlertRead, SegmentAck, SegmentIn
from liveqc.products.models import Product

ACCEPTING = (LiveSessionStatus.READY, LiveSessionStatus.LIVE)
FactsEntry = tuple[str | None, dict[str, Any], int | None]


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON shape of an alert, as pushed to streams and returned in acks."""
    return AlertRead.model_validate(alert).model_dump(mode="json")


#: Facts of a lineup item, reused for a short while: the product's file and the price history
#: before the session start change rarely, and the hot path should not re-read them per segment.
FACTS_TTL_SECONDS = 30.0
_FACTS_CACHE: dict[tuple[Any, ...], tuple[float, FactsEntry]] = {}
_FACTS_CACHE_MAX = 10_000


def _facts(session: Session, live: LiveSession, item_id: int | None) -> FactsEntry:
    """(category, facts, product id) for the lineup item, cached per session and item."""
    key = (live.id, live.created_at, item_id)
    now = time.monotonic()
    hit = _FACTS_CACHE.get(key)
    if hit is not None and now - hit[0] < FACTS_TTL_SECONDS:
        return hit[1]
    item = next((i for i in live.lineup if i.id == item_id), None) if item_id else None
    product = session.get(Product, item.product_id) if item else None
    entry: FactsEntry = (None, {}, None)
    if product is not None:
        facts = service.product_facts(session, product, at=live.started_at or utcnow())
        entry = (str(product.category), facts, product.id)
    if len(_FACTS_CACHE) >= _FACTS_CACHE_MAX:
        _FACTS_CACHE.clear()
    _FACTS_CACHE[key] = (now, entry)
    return entry


def _ack(seg: SegmentIn, status: str, live: LiveSession, detail: str = "") -> SegmentAck:
    return SegmentAck(
        segment_id=seg.segment_id,
        seq=seg.seq,
        status=status,  # type: ignore[arg-type]
        last_seq=live.last_seq,
        expected_seq=live.last_seq + 1,
        detail=detail,
    )


def _order(
    live: LiveSession, segments: Sequence[SegmentIn], known: set[str]
) -> tuple[list[SegmentAck], list[tuple[int, SegmentIn, Segment]]]:
    """Decide each segment's fate (see the module docstring) and build the rows to store."""
    acks: list[SegmentAck] = []
    stored: list[tuple[int, SegmentIn, Segment]] = []
    if live.status not in ACCEPTING:
        why = (
            "the session has ended"
            if live.status is LiveSessionStatus.ENDED
            else "mark the session ready before going on air"
        )
        return [_ack(seg, "rejected", live, why) for seg in segments], stored
    items = {item.id for item in live.lineup}
    blocked = False
    for seg in segments:
        if seg.segment_id in known:
            acks.append(_ack(seg, "duplicate", live))
            continue
        expected = live.last_seq + 1
        if blocked or seg.seq > expected:
            blocked = True
            acks.append(_ack(seg, "gap", live, f"expected seq {expected}; resend from there"))
            continue
        if seg.seq < expected:
            acks.append(_ack(seg, "stale", live, f"seq {seg.seq} is already taken"))
            continue
        item_id = seg.lineup_item_id
        if item_id is not None and item_id not in items:
            acks.append(_ack(seg, "rejected", live, f"lineup_item_id {item_id} is not in it"))
            continue
        if seg.kind is SegmentKind.TRANSCRIPT and item_id is not None:
            live.current_lineup_item_id = item_id
        row = Segment(
            live_session_id=live.id,
            organisation_id=live.organisation_id,
            segment_id=seg.segment_id,
            seq=seg.seq,
            start_ms=seg.start_ms,
            end_ms=seg.end_ms,
            speaker=seg.speaker,
            lineup_item_id=item_id if item_id is not None else live.current_lineup_item_id,
            kind=seg.kind,
            text=seg.text,
        )
        known.add(seg.segment_id)
        live.last_seq = seg.seq
        live.last_segment_id = seg.segment_id
        stored.append((len(acks), seg, row))
        acks.append(_ack(seg, "stored", live))
    return acks, stored


def _scan(
    session: Session,
    stored: list[tuple[LiveSession, list[SegmentAck], int, SegmentIn, Segment]],
    engines: dict[int, Any],
) -> list[tuple[list[SegmentAck], int, Alert]]:
    """Scan each stored segment with its item's facts; add alerts and prices said."""
    new_alerts: list[tuple[list[SegmentAck], int, Alert]] = []
    for live, acks, index, seg, row in stored:
        category, facts, product_id = _facts(session, live, row.lineup_item_id)
        engine = engines[live.organisation_id]
        try:
            result = engine.check(seg.text, category=category, facts=facts, scene=seg.kind.value)
        except InvalidFacts:
            result = engine.check(seg.text, scene=seg.kind.value)
        for finding in result.findings:
            alert = Alert(
                live_session_id=live.id,
                organisation_id=live.organisation_id,
                source=AlertSource(seg.kind.value),
                segment_pk=row.id,
                lineup_item_id=row.lineup_item_id,
                code=finding.code,
                rule=finding.rule,
                severity=finding.severity,
                start=finding.start,
                end=finding.end,
                match=finding.match[:500],
                basis=finding.basis[:500],
                message=finding.message,
                suggestion=finding.suggestion,
                sentence=seg.text,
                at_ms=seg.start_ms,
            )
            session.add(alert)
            new_alerts.append((acks, index, alert))
        if seg.kind is SegmentKind.TRANSCRIPT:
            for mention in extract_prices(seg.text):
                session.add(
                    PriceRecord(
                        live_session_id=live.id,
                        organisation_id=live.organisation_id,
                        lineup_item_id=row.lineup_item_id,
                        product_id=product_id,
                        segment_pk=row.id,
                        amount=mention.amount,
                        kind=mention.kind,
                        match=mention.match[:100],
                        at_ms=seg.start_ms,
                    )
                )
    return new_alerts


def process_many(
    session: Session, work: Sequence[tuple[int, Sequence[SegmentIn]]], *, actor: Any = None
) -> list[list[SegmentAck]]:
    """Store and scan segments of several sessions of the current organisation in one
    transaction (sessions locked in id order); one list of acks per work item, in order.

    Raises:
        NotFound: a session does not exist in the current organisation.
    """
    ids = sorted({live_id for live_id, _ in work})
    lives = {
        live.id: live
        for live in session.scalars(
            select(LiveSession)
            .where(LiveSession.id.in_(ids))
            .order_by(LiveSession.id)
            .options(selectinload(LiveSession.lineup))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for live_id in ids:
        if live_id not in lives:
            raise NotFound(f"live session {live_id} does not exist")
    for live in lives.values():
        if live.status is LiveSessionStatus.READY:
            flows.start(session, live, actor=actor)
    wanted = [seg.segment_id for _, segments in work for seg in segments]
    known: dict[int, set[str]] = {live_id: set() for live_id in ids}
    for live_id, segment_id in session.execute(
        select(Segment.live_session_id, Segment.segment_id).where(
            Segment.live_session_id.in_(ids), Segment.segment_id.in_(wanted)
        )
    ):
        known[live_id].add(segment_id)
    results: list[list[SegmentAck]] = []
    stored: list[tuple[LiveSession, list[SegmentAck], int, SegmentIn, Segment]] = []
    with session.no_autoflush:
        for live_id, segments in work:
            live = lives[live_id]
            acks, rows = _order(live, segments, known[live_id])
            results.append(acks)
            stored += [(live, acks, index, seg, row) for index, seg, row in rows]
    if not stored:
        return results
    session.add_all([row for *_, row in stored])
    session.flush()
    engines = {
        org: service.engine_for(session, org)
        for org in {live.organisation_id for live in lives.values()}
    }
    with session.no_autoflush:
        new_alerts = _scan(session, stored, engines)
    session.flush()
    payloads: dict[int, list[dict[str, Any]]] = {}
    for acks, index, alert in new_alerts:
        read = AlertRead.model_validate(alert)
        acks[index].alerts.append(read)
        payloads.setdefault(alert.organisation_id, []).append(read.model_dump(mode="json"))
    for org, items in payloads.items():
        publish_after_commit(session, org, items)
    for (live_id, _), acks in zip(work, results, strict=True):
        for ack in acks:
            ack.last_seq = lives[live_id].last_seq
            ack.expected_seq = lives[live_id].last_seq + 1
    return results


def process_segments(
    session: Session, live: LiveSession, segments: Sequence[SegmentIn], *, actor: Any = None
) -> list[SegmentAck]:
    """Store the new segments of one session in order, scan them, record prices and alerts.

    Returns one ack per input segment, in input order. Alerts are pushed to the hub after the
    caller's transaction commits.
    """
    return process_many(session, [(live.id, segments)], actor=actor)[0]
