"""What every spot-check flow shares: the transition table, the step check, acting for another
organisation, and the objection deadline."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import InvalidTransition
from liveqc.spot_checks.models import CheckStatus as C
from liveqc.spot_checks.models import SpotCheck

CST = timezone(timedelta(hours=8), "CST")

#: flow → states it may start from.
TRANSITIONS: dict[str, frozenset[C]] = {
    "record_sample": frozenset({C.DRAWN, C.SAMPLED}),
    "add_custody": frozenset({C.SAMPLED, C.TESTED}),
    "record_results": frozenset({C.SAMPLED, C.TESTED}),
    "conclude": frozenset({C.TESTED}),
    "file_objection": frozenset({C.NOTIFIED}),
    "withdraw_objection": frozenset({C.OBJECTED}),
    "decide_objection": frozenset({C.OBJECTED}),
    "close": frozenset({C.PASSED, C.NOTIFIED, C.CONFIRMED, C.OVERTURNED}),
}


def step(check: SpotCheck, flow: str) -> C:
    allowed = TRANSITIONS[flow]
    if check.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise InvalidTransition(
            f"spot check {check.id} is {check.status.value}; {flow} is allowed only from {names}"
        )
    return check.status


@contextmanager
def acting_for(session: Session, organisation_id: int) -> Iterator[None]:
    """Write rows of ``organisation_id`` in the block (pending changes are flushed first)."""
    session.flush()
    previous = tenancy.current_organisation(session)
    tenancy.set_organisation(session, organisation_id)
    try:
        yield
        session.flush()
    finally:
        tenancy.set_organisation(session, previous)


def objection_deadline(notified_at: datetime, days: int) -> datetime:
    """The last moment (UTC) an objection is accepted: 24:00 CST on the ``days``-th day after
    the day of notification."""
    last_day = notified_at.astimezone(CST).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), CST).astimezone(UTC) - timedelta(
        microseconds=1
    )
