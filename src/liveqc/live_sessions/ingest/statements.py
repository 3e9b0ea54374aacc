"""The SQL of the ingest hot path, for SQLite and PostgreSQL, run in :class:`~liveqc.db.bulk.Batch`
statements on the transaction's connection.

A transaction sends two batches: the reads (lock the sessions with their lineups, find the
segment ids already stored, reserve ids for the new segments), then, after the scan, the writes
(segments, prices, alerts, positions). Reserving the segment ids first is what lets the writes
go together: prices and alerts name their segment by id. On PostgreSQL each batch is one round
trip; the ids come from the table's sequence. On SQLite the transaction holds the database's
write lock from its start (``BEGIN IMMEDIATE``), so the ids after the largest one are free.

These statements skip the ORM, so its tenancy filter too: :func:`lock` filters the sessions by
:func:`liveqc.db.tenancy.visible_organisations`, and every other statement here reads or writes
rows of the sessions it locked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from liveqc.db.bulk import BulkInsert, BulkUpdate, result_converters
from liveqc.live_sessions.models import Alert, LineupItem, LiveSession, PriceRecord, Segment

_LIVES = cast(Table, LiveSession.__table__)
_ITEMS = LineupItem.__tablename__
_SEGMENTS = Segment.__tablename__
_SEGMENTS_TABLE = cast(Table, Segment.__table__)

#: The session columns :func:`lock` reads, in order (then the lineup item id and product id).
LOCK_COLUMNS = (
    "id",
    "organisation_id",
    "status",
    "last_seq",
    "last_segment_id",
    "current_lineup_item_id",
    "created_at",
    "started_at",
)
_SELECT_LOCKED = (
    f"SELECT {', '.join(f's.{name}' for name in LOCK_COLUMNS)}, i.id, i.product_id "
    f"FROM {_LIVES.name} AS s LEFT JOIN {_ITEMS} AS i ON i.live_session_id = s.id "
)
_LOCK = {
    # FOR UPDATE OF: lock the session rows only (not the nullable side of the join)
    "postgresql": _SELECT_LOCKED + "WHERE s.id = ANY(%(ids)s){organisations} "
    "ORDER BY s.id FOR UPDATE OF s",
    # the transaction already holds SQLite's only write lock
    "sqlite": _SELECT_LOCKED + "WHERE s.id IN (SELECT value FROM json_each(:ids)){organisations} "
    "ORDER BY s.id",
}
_OWN = {
    "postgresql": " AND s.organisation_id = ANY(%(organisations)s)",
    "sqlite": " AND s.organisation_id IN (SELECT value FROM json_each(:organisations))",
}
#: Each wanted (session, segment id) pair with the stored segment id or NULL: one probe of the
#: unique index per pair, whatever the planner's statistics (``IN … AND IN …`` probed every
#: combination, and a join hashed the whole table on PostgreSQL after it grew).
_KNOWN = {
    "postgresql": "SELECT wanted.ls, (SELECT s.segment_id FROM {segments} AS s "
    "WHERE s.live_session_id = wanted.ls AND s.segment_id = wanted.sid) "
    "FROM unnest(CAST(%(ls)s AS integer[]), CAST(%(sid)s AS text[])) AS wanted(ls, sid)",
    "sqlite": "SELECT json_extract(wanted.value, '$[0]'), (SELECT s.segment_id FROM {segments} "
    "AS s WHERE s.live_session_id = json_extract(wanted.value, '$[0]') "
    "AND s.segment_id = json_extract(wanted.value, '$[1]')) FROM json_each(:pairs) AS wanted",
}
_RESERVE = {
    "postgresql": f"SELECT nextval(pg_get_serial_sequence('{_SEGMENTS}', 'id')) "
    "FROM generate_series(1, %(count)s)",
    "sqlite": f"SELECT coalesce(max(id), 0) FROM {_SEGMENTS}",
}


def _sql(statements: dict[str, str], dialect: Dialect) -> str:
    try:
        return statements[dialect.name]
    except KeyError:
        raise NotImplementedError(f"live ingest has no SQL for {dialect.name}") from None


def lock(
    dialect: Dialect, ids: Sequence[int], organisations: Sequence[int] | None
) -> tuple[str, dict[str, Any]]:
    """Lock the sessions ``ids`` of ``organisations`` (None: any, in a tenancy bypass) in id
    order, with one row per lineup item (or one with NULLs for a session without any)."""
    sql = _sql(_LOCK, dialect).format(
        organisations="" if organisations is None else _OWN[dialect.name]
    )
    if dialect.name == "sqlite":
        parameters: dict[str, Any] = {"ids": json.dumps(list(ids))}
        if organisations is not None:
            parameters["organisations"] = json.dumps(list(organisations))
        return sql, parameters
    parameters = {"ids": list(ids)}
    if organisations is not None:
        parameters["organisations"] = list(organisations)
    return sql, parameters


def locked_rows(dialect: Dialect, rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """:func:`lock`'s rows with the session columns as SQLAlchemy returns them."""
    converters = [*result_converters(_LIVES, LOCK_COLUMNS, dialect), None, None]
    return [
        [
            value if convert is None else convert(value)
            for convert, value in zip(converters, row, strict=True)
        ]
        for row in rows
    ]


def known(dialect: Dialect, pairs: Sequence[tuple[int, str]]) -> tuple[str, dict[str, Any]]:
    """(session id, stored segment id or None) for each wanted (session id, segment id)."""
    sql = _sql(_KNOWN, dialect).format(segments=_SEGMENTS)
    if dialect.name == "sqlite":
        return sql, {"pairs": json.dumps(pairs, ensure_ascii=False)}
    return sql, {"ls": [live_id for live_id, _ in pairs], "sid": [sid for _, sid in pairs]}


def reserve_segment_ids(dialect: Dialect, count: int) -> tuple[str, dict[str, Any]]:
    """Reserve ``count`` ids for new segments; :func:`reserved` reads them from the rows."""
    return _sql(_RESERVE, dialect), {"count": count}


def reserved(dialect: Dialect, rows: Sequence[tuple[Any, ...]], count: int) -> list[int]:
    if dialect.name == "sqlite":
        ((largest,),) = rows
        return list(range(largest + 1, largest + 1 + count))
    return [row[0] for row in rows]


#: The bulk writes, built once; each transaction only sends its rows (``liveqc.db.bulk``).
SEGMENT_COLUMNS = (
    "id",
    "live_session_id",
    "organisation_id",
    "segment_id",
    "seq",
    "start_ms",
    "end_ms",
    "speaker",
    "lineup_item_id",
    "kind",
    "text",
    "received_at",
)
INSERT_SEGMENTS = BulkInsert(_SEGMENTS_TABLE, SEGMENT_COLUMNS)
#: RETURNING order is not the input order on every backend; an alert is found again by what
#: it says (two alerts alike in all of these are alike in everything, so either id fits).
ALERT_KEY = ("segment_pk", "code", "rule", "start", "end")
ALERT_COLUMNS = (
    "live_session_id",
    "organisation_id",
    "source",
    "segment_pk",
    "lineup_item_id",
    "code",
    "rule",
    "severity",
    "start",
    "end",
    "match",
    "basis",
    "message",
    "suggestion",
    "sentence",
    "at_ms",
    "disposition",
    "reason",
    "created_at",
)
INSERT_ALERTS = BulkInsert(
    cast(Table, Alert.__table__), ALERT_COLUMNS, returning=("id", *ALERT_KEY)
)
PRICE_COLUMNS = (
    "live_session_id",
    "organisation_id",
    "lineup_item_id",
    "product_id",
    "segment_pk",
    "amount",
    "kind",
    "match",
    "at_ms",
)
INSERT_PRICES = BulkInsert(cast(Table, PriceRecord.__table__), PRICE_COLUMNS)
SAVE_POSITIONS = BulkUpdate(
    _LIVES, "id", ("last_seq", "last_segment_id", "current_lineup_item_id", "updated_at")
)
