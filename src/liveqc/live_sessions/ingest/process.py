"""Store and scan a batch of segments: idempotent by segment id, ordered by seq.

Ordering policy (one writer at a time per session, the session row is locked):

- a segment whose id is already stored is acknowledged as ``duplicate`` and not stored again;
- the next segment must carry ``seq == last_seq + 1`` and is ``stored``;
- a higher seq is a ``gap``: it is refused, nothing after it in the batch is stored, and the
  ack names the ``expected_seq`` the client must resend from;
- a lower seq with a new id is ``stale`` (that seq is already taken by another segment).

This is the hot path of live ingest. A transaction sends two batches of statements
(``statements``): the reads, then after the scan the writes, each write one bulk statement
rather than ORM objects; acks and alert payloads are built as JSON-ready dicts in the shape of
``SegmentAck`` / ``AlertRead``. Rows are written for the session's own organisation only: the
sessions are locked through the tenancy's visible organisations and each row carries theirs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from liveqc.compliance.service import fingerprint_from, fingerprint_query
from liveqc.db import tenancy
from liveqc.db.bulk import Batch
from liveqc.db.types import utcnow
from liveqc.engine import CATEGORIES
from liveqc.engine.facts import Facts, InvalidFacts
from liveqc.engine.prices import extract_prices
from liveqc.errors import NotFound, PermissionDenied
from liveqc.live_sessions import flows, service
from liveqc.live_sessions.ingest import statements
from liveqc.live_sessions.ingest.hub import publish_after_commit
from liveqc.live_sessions.models import (
    Alert,
    LiveSession,
    LiveSessionStatus,
    SegmentKind,
)
from liveqc.live_sessions.schemas import AlertRead, SegmentAck, SegmentIn
from liveqc.products.models import Product

ACCEPTING = (LiveSessionStatus.READY, LiveSessionStatus.LIVE)
#: (category, facts, product id); category and facts are None when the product's facts do not
#: validate (the segment is then scanned without them).
FactsEntry = tuple[str | None, Facts | None, int | None]
Ack = dict[str, Any]
_DATETIME = TypeAdapter(datetime)


@dataclass
class _Live:
    """The columns of a locked session that ingest reads and moves (no ORM object: cheaper)."""

    id: int
    organisation_id: int
    status: LiveSessionStatus
    last_seq: int
    last_segment_id: str | None
    current_lineup_item_id: int | None
    created_at: datetime
    started_at: datetime | None
    #: lineup item id -> product id
    items: dict[int, int] = field(default_factory=dict)
    moved: bool = False


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON shape of an alert, as pushed to streams and returned in acks."""
    return AlertRead.model_validate(alert).model_dump(mode="json")


#: Facts of a lineup item, reused for a short while: the product's file and the price history
#: before the session start change rarely, and the hot path should not re-read them per segment.
#: Each entry lives between half and one and a half times this (on average this): entries read
#: together, such as every session that went on air at once, are then not all read again in the
#: same second (a read costs a few milliseconds; 200 at once held the writers for most of one).
FACTS_TTL_SECONDS = 30.0
#: key -> (monotonic time it expires, entry)
_FACTS_CACHE: dict[tuple[Any, ...], tuple[float, FactsEntry]] = {}
_FACTS_CACHE_MAX = 10_000


def _facts(session: Session, live: _Live, item_id: int | None) -> FactsEntry:
    """(category, facts, product id) for the lineup item, cached per session and item: the
    facts are validated once here, not at every scan."""
    key = (live.id, live.created_at, item_id)
    now = time.monotonic()
    hit = _FACTS_CACHE.get(key)
    if hit is not None and now < hit[0]:
        return hit[1]
    product_id = live.items.get(item_id) if item_id else None
    product = session.get(Product, product_id) if product_id is not None else None
    entry: FactsEntry = (None, Facts(), None)
    if product is not None:
        facts = service.product_facts(session, product, at=live.started_at or utcnow())
        category = str(product.category)
        try:
            if category not in CATEGORIES:
                raise InvalidFacts(f"unknown category {category!r}")
            entry = (category, Facts.from_dict(facts), product.id)
        except InvalidFacts:
            entry = (None, None, product.id)
    if len(_FACTS_CACHE) >= _FACTS_CACHE_MAX:
        _FACTS_CACHE.clear()
    _FACTS_CACHE[key] = (now + FACTS_TTL_SECONDS * random.uniform(0.5, 1.5), entry)
    return entry


def _ack(seg: SegmentIn, status: str, detail: str = "") -> Ack:
    """An ack in ``SegmentAck``'s JSON shape; ``last_seq``/``expected_seq`` are filled in last."""
    return {
        "segment_id": seg.segment_id,
        "seq": seg.seq,
        "status": status,
        "last_seq": 0,
        "expected_seq": 1,
        "alerts": [],
        "detail": detail,
    }


def unanswered_acks(segments: Sequence[SegmentIn], why: str) -> list[Ack]:
    """Acks for segments that were not stored because whatever stores them did not answer:
    each ``rejected``, saying to resend from the batch's first seq (safe: segments that were
    stored after all come back as ``duplicate``)."""
    first = segments[0].seq
    detail = f"not acknowledged: {why}; resend from seq {first} (resending is safe)"
    return [
        {**_ack(seg, "rejected", detail), "last_seq": first - 1, "expected_seq": first}
        for seg in segments
    ]


def _order(
    live: _Live, segments: Sequence[SegmentIn], known: set[str], now: datetime
) -> tuple[list[Ack], list[tuple[Ack, SegmentIn, dict[str, Any]]]]:
    """Decide each segment's fate (see the module docstring) and build the rows to store."""
    acks: list[Ack] = []
    stored: list[tuple[Ack, SegmentIn, dict[str, Any]]] = []
    if live.status not in ACCEPTING:
        why = (
            "the session has ended"
            if live.status is LiveSessionStatus.ENDED
            else "mark the session ready before going on air"
        )
        return [_ack(seg, "rejected", why) for seg in segments], stored
    items = live.items
    blocked = False
    last_seq, last_id = live.last_seq, live.last_segment_id
    current_item = live.current_lineup_item_id
    for seg in segments:
        if seg.segment_id in known:
            acks.append(_ack(seg, "duplicate"))
            continue
        expected = last_seq + 1
        if blocked or seg.seq > expected:
            blocked = True
            acks.append(_ack(seg, "gap", f"expected seq {expected}; resend from there"))
            continue
        if seg.seq < expected:
            acks.append(_ack(seg, "stale", f"seq {seg.seq} is already taken"))
            continue
        item_id = seg.lineup_item_id
        if item_id is not None and item_id not in items:
            acks.append(_ack(seg, "rejected", f"lineup_item_id {item_id} is not in it"))
            continue
        if seg.kind is SegmentKind.TRANSCRIPT and item_id is not None:
            current_item = item_id
        row = {
            "live_session_id": live.id,
            "organisation_id": live.organisation_id,
            "segment_id": seg.segment_id,
            "seq": seg.seq,
            "start_ms": seg.start_ms,
            "end_ms": seg.end_ms,
            "speaker": seg.speaker,
            "lineup_item_id": item_id if item_id is not None else current_item,
            "kind": seg.kind,
            "text": seg.text,
            "received_at": now,
        }
        known.add(seg.segment_id)
        last_seq, last_id = seg.seq, seg.segment_id
        ack = _ack(seg, "stored")
        stored.append((ack, seg, row))
        acks.append(ack)
    if (last_seq, current_item) != (live.last_seq, live.current_lineup_item_id):
        live.last_seq, live.last_segment_id = last_seq, last_id
        live.current_lineup_item_id = current_item
        live.moved = True
    return acks, stored


def _scan(
    session: Session,
    lives: dict[int, _Live],
    stored: list[tuple[Ack, SegmentIn, dict[str, Any]]],
    engines: dict[int, Any],
) -> tuple[list[tuple[Ack, dict[str, Any]]], list[dict[str, Any]]]:
    """Scan each stored segment with its item's facts: (ack, alert row) pairs and price rows."""
    alerts: list[tuple[Ack, dict[str, Any]]] = []
    prices: list[dict[str, Any]] = []
    for ack, seg, row in stored:
        live = lives[row["live_session_id"]]
        category, facts, product_id = _facts(session, live, row["lineup_item_id"])
        engine = engines[live.organisation_id]
        kind = seg.kind.value
        result = engine.check(seg.text, category=category, facts=facts, scene=kind)
        for finding in result.findings:
            alert = {
                "live_session_id": live.id,
                "organisation_id": live.organisation_id,
                "source": kind,
                "segment_pk": row["id"],
                "lineup_item_id": row["lineup_item_id"],
                "code": finding.code,
                "rule": finding.rule,
                "severity": str(finding.severity),
                "start": finding.start,
                "end": finding.end,
                "match": finding.match[:500],
                "basis": finding.basis[:500],
                "message": finding.message,
                "suggestion": finding.suggestion,
                "sentence": seg.text,
                "at_ms": seg.start_ms,
            }
            alerts.append((ack, alert))
        if seg.kind is SegmentKind.TRANSCRIPT:
            prices += [
                {
                    "live_session_id": live.id,
                    "organisation_id": live.organisation_id,
                    "lineup_item_id": row["lineup_item_id"],
                    "product_id": product_id,
                    "segment_pk": row["id"],
                    "amount": mention.amount,
                    "kind": mention.kind,
                    "match": mention.match[:100],
                    "at_ms": seg.start_ms,
                }
                for mention in extract_prices(seg.text)
            ]
    return alerts, prices


def _lives(
    session: Session, rows: Sequence[Sequence[Any]], ids: list[int], actor: Any
) -> dict[int, _Live]:
    """The locked sessions (``statements.lock`` rows) with their lineups; a ready session goes
    live (its first segment starts it)."""
    lives: dict[int, _Live] = {}
    for *columns, item_id, product_id in rows:
        live = lives.get(columns[0])
        if live is None:
            live = lives[columns[0]] = _Live(*columns)
        if item_id is not None:
            live.items[item_id] = product_id
    for live_id in ids:
        if live_id not in lives:
            raise NotFound(f"live session {live_id} does not exist")
    org_id = tenancy.current_organisation(session)
    if not tenancy.is_bypassed(session):
        for live in lives.values():
            # the filter already ensures it; the bulk writes below skip the flush check
            if live.organisation_id != org_id:
                raise PermissionDenied(
                    f"refusing to write segments of organisation {live.organisation_id} "
                    f"from organisation {org_id}"
                )
    for live in lives.values():
        if live.status is LiveSessionStatus.READY:
            held = session.get_one(LiveSession, live.id, populate_existing=True)
            started = flows.start(session, held, actor=actor)
            live.status, live.started_at = started.status, started.started_at
    return lives


def _positions(lives: dict[int, _Live], now: datetime) -> list[list[Any]]:
    """``statements.SAVE_POSITIONS`` rows: the new positions of the sessions that moved."""
    return [
        [live.id, live.last_seq, live.last_segment_id, live.current_lineup_item_id, now]
        for live in lives.values()
        if live.moved
    ]


def _refresh_held(session: Session, lives: dict[int, _Live]) -> None:
    """Bring the ORM objects the caller may hold for moved sessions up to date."""
    for live in lives.values():
        if not live.moved:
            continue
        held = session.identity_map.get(session.identity_key(LiveSession, live.id))
        if held is not None:
            set_committed_value(held, "last_seq", live.last_seq)
            set_committed_value(held, "last_segment_id", live.last_segment_id)
            set_committed_value(held, "current_lineup_item_id", live.current_lineup_item_id)


def _alert_rows(alerts: list[tuple[Ack, dict[str, Any]]], now: datetime) -> list[list[Any]]:
    new = {"disposition": "open", "reason": "", "created_at": now}
    rows = []
    for _, alert in alerts:
        row = alert | new
        rows.append([row[name] for name in statements.ALERT_COLUMNS])
    return rows


def _alert_payloads(
    alerts: list[tuple[Ack, dict[str, Any]]], returned: Sequence[Sequence[Any]], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Attach the stored alerts (``returned``: id and ``statements.ALERT_KEY``) to their acks; the
    payloads per organisation."""
    ids: dict[tuple[Any, ...], list[int]] = {}
    for alert_id, *key in returned:
        ids.setdefault(tuple(key), []).append(alert_id)
    created_at = _DATETIME.dump_python(now, mode="json")
    payloads: dict[int, list[dict[str, Any]]] = {}
    for ack, alert in alerts:
        payload = {
            "id": ids[tuple(alert[name] for name in statements.ALERT_KEY)].pop(),
            **{k: v for k, v in alert.items() if k != "organisation_id"},
            "disposition": "open",
            "corrected_at_ms": None,
            "correction_segment_id": None,
            "reason": "",
            "disposed_by_user_id": None,
            "disposed_at": None,
            "created_at": created_at,
        }
        ack["alerts"].append(payload)
        payloads.setdefault(alert["organisation_id"], []).append(payload)
    return payloads


@dataclass
class _Read:
    """What the first batch of a transaction found."""

    lives: dict[int, _Live]
    #: per session, the wanted segment ids already stored
    known: dict[int, set[str]]
    #: ids reserved for the new segments, one per segment in the work
    segment_pks: list[int]
    #: organisation -> its dictionary's fingerprint (read for the session's own organisation)
    fingerprints: dict[int, str]


def _read(
    session: Session,
    connection: Connection,
    work: Sequence[tuple[int, Sequence[SegmentIn]]],
    actor: Any,
) -> _Read:
    """The first batch: lock the sessions (of the organisations tenancy lets this session
    change) with their lineups, find the segment ids already stored, reserve ids for the new
    segments, and read the dictionary's fingerprint so that its engine needs no query."""
    dialect = connection.dialect
    ids = sorted({live_id for live_id, _ in work})
    pairs = [(live_id, seg.segment_id) for live_id, segments in work for seg in segments]
    visible = tenancy.visible_organisations(session, writing=True)
    own = visible[0] if visible is not None else None  # None in a tenancy bypass
    batch = Batch(connection)
    locked = batch.add(*statements.lock(dialect, ids, visible))
    known_at = reserved_at = fingerprint_at = None
    if pairs:
        known_at = batch.add(*statements.known(dialect, pairs))
        reserved_at = batch.add(*statements.reserve_segment_ids(dialect, len(pairs)))
        if own is not None:
            fingerprint_at = batch.add(*fingerprint_query(dialect.name, own))
    answers = batch.run()
    read = _Read(
        lives=_lives(session, statements.locked_rows(dialect, answers[locked]), ids, actor),
        known={live_id: set() for live_id in ids},
        segment_pks=[],
        fingerprints={},
    )
    if known_at is not None:
        for live_id, segment_id in answers[known_at]:
            if segment_id is not None:
                read.known[live_id].add(segment_id)
    if reserved_at is not None:
        read.segment_pks = statements.reserved(dialect, answers[reserved_at], len(pairs))
    if fingerprint_at is not None and own is not None:
        read.fingerprints[own] = fingerprint_from(answers[fingerprint_at])
    return read


def _write(
    connection: Connection,
    stored: list[tuple[Ack, SegmentIn, dict[str, Any]]],
    prices: list[dict[str, Any]],
    alerts: list[tuple[Ack, dict[str, Any]]],
    positions: list[list[Any]],
    now: datetime,
) -> list[tuple[Any, ...]]:
    """The second batch: the new segments with their reserved ids, their prices and alerts,
    the sessions' positions. Returns the id and ``statements.ALERT_KEY`` of each alert stored."""
    dialect = connection.dialect
    batch = Batch(connection)
    if stored:
        segment_rows = [[row[name] for name in statements.SEGMENT_COLUMNS] for *_, row in stored]
        batch.add(*statements.INSERT_SEGMENTS.statement(dialect, segment_rows))
    if prices:
        price_rows = [[price[name] for name in statements.PRICE_COLUMNS] for price in prices]
        batch.add(*statements.INSERT_PRICES.statement(dialect, price_rows))
    alerts_at = None
    if alerts:
        alerts_at = batch.add(
            *statements.INSERT_ALERTS.statement(dialect, _alert_rows(alerts, now))
        )
    if positions:
        batch.add(*statements.SAVE_POSITIONS.statement(dialect, positions))
    answers = batch.run()
    return answers[alerts_at] if alerts_at is not None else []


def ingest(
    session: Session, work: Sequence[tuple[int, Sequence[SegmentIn]]], *, actor: Any = None
) -> list[list[Ack]]:
    """Store and scan segments of several sessions of the current organisation in one
    transaction (sessions locked in id order); one list of acks (``SegmentAck`` as JSON) per
    work item, in order. Alerts are pushed to the hub after the transaction commits.

    Raises:
        NotFound: a session does not exist in the current organisation.
    """
    session.flush()  # the statements below run on the connection: no autoflush
    connection = session.connection()
    read = _read(session, connection, work, actor)
    lives = read.lives
    now = utcnow()
    results: list[list[Ack]] = []
    stored: list[tuple[Ack, SegmentIn, dict[str, Any]]] = []
    for live_id, segments in work:
        acks, rows = _order(lives[live_id], segments, read.known[live_id], now)
        results.append(acks)
        stored += rows
    for (_, _, row), segment_pk in zip(stored, read.segment_pks, strict=False):
        row["id"] = segment_pk  # fewer stored than reserved when some were refused
    alerts: list[tuple[Ack, dict[str, Any]]] = []
    prices: list[dict[str, Any]] = []
    if stored:
        engines = {
            org: service.engine_for(session, org, fingerprint=read.fingerprints.get(org))
            for org in {live.organisation_id for live in lives.values()}
        }
        with session.no_autoflush:
            alerts, prices = _scan(session, lives, stored, engines)
    returned = _write(connection, stored, prices, alerts, _positions(lives, now), now)
    if alerts:
        for org, items in _alert_payloads(alerts, returned, now).items():
            publish_after_commit(session, org, items)
    _refresh_held(session, lives)
    for (live_id, _), acks in zip(work, results, strict=True):
        last_seq = lives[live_id].last_seq
        for ack in acks:
            ack["last_seq"], ack["expected_seq"] = last_seq, last_seq + 1
    return results


def process_many(
    session: Session, work: Sequence[tuple[int, Sequence[SegmentIn]]], *, actor: Any = None
) -> list[list[SegmentAck]]:
    """:func:`ingest`, with the acks as ``SegmentAck`` models."""
    return [
        [SegmentAck.model_validate(ack) for ack in acks]
        for acks in ingest(session, work, actor=actor)
    ]


def process_segments(
    session: Session, live: LiveSession, segments: Sequence[SegmentIn], *, actor: Any = None
) -> list[SegmentAck]:
    """Store the new segments of one session in order, scan them, record prices and alerts.

    Returns one ack per input segment, in input order. Alerts are pushed to the hub after the
    caller's transaction commits.
    """
    return process_many(session, [(live.id, segments)], actor=actor)[0]
