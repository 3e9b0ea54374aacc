"""Write and verify the audit chain.

Every flow calls :func:`record`. The chain is global and ordered by id; each entry's hash is
SHA-256 over the canonical JSON of its fields and the previous entry's hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.db.session import lock_audit_chain
from liveqc.db.tenancy import bypass_tenancy, current_organisation
from liveqc.db.types import utcnow
from liveqc.errors import NotFound
from liveqc.events.models import AuditEvent

GENESIS_HASH = "0" * 64
#: Keys whose values never reach the audit log.
SECRET_MARKERS = ("password", "secret", "token", "hash", "api_key", "credential")
REDACTED = "[redacted]"


def summarise(value: Any) -> Any:
    """A JSON-safe copy of ``value`` with secrets redacted."""
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED
            if any(marker in str(key).lower() for marker in SECRET_MARKERS)
            else summarise(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [summarise(item) for item in value]
    if isinstance(value, Enum):
        return summarise(value.value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 hex over the canonical JSON of ``event`` (its id excluded) and its prev_hash."""
    payload = {
        "at": _iso(event.at),
        "actor_user_id": event.actor_user_id,
        "organisation_id": event.organisation_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def object_ref(obj: Any) -> tuple[str, str]:
    """(object type, object id) of an ORM object or an explicit ``(type, id)`` pair."""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    table = getattr(obj, "__tablename__", None) or type(obj).__name__.lower()
    return str(table), str(obj.id)


def record(
    session: Session,
    actor: Any,
    organisation_id: int | None,
    obj: Any,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit entry for a state change and return it (flushed, not committed).

    Args:
        actor: a User, a user id, or None for the system.
        organisation_id: the organisation the change belongs to (None for system events).
        obj: the changed ORM object (flushed, so it has an id) or a ``(type, id)`` pair.
        action: a verb such as ``create``, ``update``, ``approve``.
        before, after: short summaries of the changed fields; secrets are redacted.
    """
    actor_id = getattr(actor, "id", actor)
    object_type, object_id = object_ref(obj)
    lock_audit_chain(session)
    with bypass_tenancy(session, reason="audit chain head", actor_user_id=actor_id, quiet=True):
        head = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        prev_hash = head.first() or GENESIS_HASH
    event = AuditEvent(
        at=utcnow(),
        actor_user_id=actor_id,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=object_id,
        action=action,
        before=summarise(dict(before)) if before is not None else None,
        after=summarise(dict(after)) if after is not None else None,
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    if organisation_id is None or organisation_id != current_organisation(session):
        with bypass_tenancy(
            session, reason=f"audit {action} {object_type}", actor_user_id=actor_id, quiet=True
        ):
            session.add(event)
            session.flush()
    else:
        session.add(event)
        session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(events: Iterable[AuditEvent]) -> ChainReport:
    """Check that each entry hashes correctly and links to the one before it."""
    prev_hash = GENESIS_HASH
    checked = 0
    for event in events:
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.id, "prev_hash does not match the previous entry")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.id, "content does not match its hash")
        prev_hash = event.hash
        checked += 1
    return ChainReport(checked)


def verify(session: Session) -> ChainReport:
    """Verify the whole chain (every organisation) in id order."""
    with bypass_tenancy(session, reason="audit verify"):
        events = session.scalars(
            select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
        )
        return verify_chain(events)


def list_(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[AuditEvent], int]:
    """The current organisation's entries, newest first, and their total."""
    total = session.scalar(select(func.count(AuditEvent.id))) or 0
    rows = session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def get_or_raise(session: Session, event_id: int) -> AuditEvent:
    """One of the current organisation's entries; any other id is NotFound."""
    row = session.scalars(select(AuditEvent).where(AuditEvent.id == event_id)).first()
    if row is None:
        raise NotFound(f"audit event {event_id} does not exist")
    return row
