"""Tenancy, enforced in one place.

Every ORM select/update/delete of an :class:`~liveqc.db.base.OrgOwned` row is filtered by the
session's current organisation, and a flush refuses to write a row of another organisation. A
session with no organisation sees no organisation-owned rows at all. System tasks open an
explicit, logged bypass with :func:`bypass_tenancy`; reads across a known set of organisations
(a regulator's jurisdiction) open a logged, read-only :func:`read_scope` instead.

:func:`visible_organisations` makes that decision for every statement. A hot path that runs a
Core statement on the connection (no ORM event, so no filter) filters it by the same function:
``table.c.organisation_id.in_(bindparam(..., expanding=True))`` bound to its result.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from liveqc.db.base import OrgOwned
from liveqc.errors import PermissionDenied

log = logging.getLogger("liveqc.tenancy")

ORG_KEY = "liveqc.organisation_id"
BYPASS_KEY = "liveqc.tenancy_bypass"
READ_SCOPE_KEY = "liveqc.tenancy_read_scope"


def set_organisation(session: Session, organisation_id: int | None) -> None:
    """Make ``organisation_id`` the organisation every OrgOwned query of ``session`` sees."""
    session.info[ORG_KEY] = organisation_id


def current_organisation(session: Session) -> int | None:
    """The session's organisation id, or None."""
    return session.info.get(ORG_KEY)


def is_bypassed(session: Session) -> bool:
    return bool(session.info.get(BYPASS_KEY))


@contextmanager
def bypass_tenancy(
    session: Session, *, reason: str, actor_user_id: int | None = None, quiet: bool = False
) -> Iterator[Session]:
    """Lift the organisation filter inside the block, for system tasks; logged with its reason.

    Use for migrations, demo load, regulator reads and public disclosure, never for a user's
    ordinary request. ``quiet`` logs at DEBUG, for liveqc's own bookkeeping (the audit chain).
    """
    if not reason.strip():
        raise ValueError("a tenancy bypass needs a reason")
    previous = session.info.get(BYPASS_KEY)
    session.info[BYPASS_KEY] = reason
    log.log(
        logging.DEBUG if quiet else logging.INFO,
        "tenancy bypass opened: reason=%r actor_user_id=%s organisation_id=%s",
        reason,
        actor_user_id,
        current_organisation(session),
    )
    try:
        yield session
    finally:
        if previous is None:
            session.info.pop(BYPASS_KEY, None)
        else:
            session.info[BYPASS_KEY] = previous


@contextmanager
def read_scope(
    session: Session,
    organisation_ids: Collection[int],
    *,
    reason: str,
    actor_user_id: int | None = None,
) -> Iterator[Session]:
    """Let SELECTs inside the block see the rows of ``organisation_ids`` (a regulator's
    jurisdiction, an association's region), logged with its reason. Writes stay limited to the
    session's own organisation: updates, deletes and flushes are checked as usual.
    """
    if not reason.strip():
        raise ValueError("a read scope needs a reason")
    ids = tuple(sorted({int(i) for i in organisation_ids}))
    previous = session.info.get(READ_SCOPE_KEY)
    session.info[READ_SCOPE_KEY] = ids
    log.info(
        "tenancy read scope opened: reason=%r actor_user_id=%s organisation_id=%s organisations=%s",
        reason,
        actor_user_id,
        current_organisation(session),
        len(ids),
    )
    try:
        yield session
    finally:
        if previous is None:
            session.info.pop(READ_SCOPE_KEY, None)
        else:
            session.info[READ_SCOPE_KEY] = previous


def visible_organisations(session: Session, *, writing: bool = False) -> tuple[int, ...] | None:
    """The organisations whose rows a statement of ``session`` may read, or with ``writing``
    change: None (all) inside a bypass; for a read inside a read scope, the scope's; otherwise
    the session's own organisation, or with none set ``(-1,)``, which no row has (ids are
    positive): a session without an organisation matches nothing rather than everything."""
    if is_bypassed(session):
        return None
    scope = session.info.get(READ_SCOPE_KEY)
    if scope is not None and not writing:
        return tuple(scope)
    return (current_organisation(session) or -1,)


def _filter_by_organisation(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    session = state.session
    visible = visible_organisations(session, writing=not state.is_select)
    if visible is None:
        return
    if len(visible) != 1:  # a read scope (of any size)
        state.statement = state.statement.options(
            with_loader_criteria(
                OrgOwned,
                lambda cls: cls.organisation_id.in_(visible),
                include_aliases=True,
            )
        )
        return
    (org_id,) = visible
    state.statement = state.statement.options(
        with_loader_criteria(
            OrgOwned,
            lambda cls: cls.organisation_id == org_id,
            include_aliases=True,
        )
    )


def _check_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if is_bypassed(session):
        return
    org_id = current_organisation(session)
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if not isinstance(obj, OrgOwned):
            continue
        if obj.organisation_id is None and obj in session.new and org_id is not None:
            obj.organisation_id = org_id
        if org_id is None or obj.organisation_id != org_id:
            raise PermissionDenied(
                f"refusing to write {type(obj).__name__} of organisation "
                f"{obj.organisation_id} from organisation {org_id}"
            )


def install(session_class: type[Session] = Session) -> None:
    """Register the tenancy events on ``session_class`` (idempotent)."""
    if not event.contains(session_class, "do_orm_execute", _filter_by_organisation):
        event.listen(session_class, "do_orm_execute", _filter_by_organisation)
    if not event.contains(session_class, "before_flush", _check_flush):
        event.listen(session_class, "before_flush", _check_flush)
