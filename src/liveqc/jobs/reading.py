"""Read jobs while a job runs, on SQLite too.

The embedded SQLite database is served by one pooled connection, and a running job holds it
(and the write lock) for its whole transaction, so a request that needs that connection waits
until the job ends. The job pages, the tray and the jobs API read through a second engine on
the same file instead: its connections are read-only (``PRAGMA query_only``) and begin plain
(deferred) transactions, which WAL serves beside the writer from the last committed state. The
running job's own figures come from the runner's memory (``JobRunner.live``); the row holds the
state it committed last (``running``).

On PostgreSQL (and with a factory bound to one connection, in tests) the request's ordinary
session is used: the pool there has connections to spare, and running jobs commit their
progress to the row, which every web process reads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from liveqc.accounts.service import Principal
from liveqc.api.deps import bearer, get_principal, get_session
from liveqc.db import tenancy
from liveqc.db.session import make_session_factory
from liveqc.jobs import service
from liveqc.jobs.models import Job

#: Readers served at once; more wait for a free connection (reads are short).
READERS = 4
_making = threading.Lock()


def reader_engine(bind: Any) -> Engine | None:
    """A read-only engine beside ``bind`` when ``bind`` is a SQLite file engine, else None."""
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return None
    if bind.url.database in (None, "", ":memory:"):
        return None
    engine = create_engine(
        bind.url,
        poolclass=QueuePool,
        pool_size=READERS,
        max_overflow=0,
        pool_timeout=30,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")  # deferred: a read snapshot, never the write lock

    return engine


def reader_for(app: Any) -> sessionmaker[Session] | None:
    """The app's read-only session factory (SQLite files), made on first use; else None."""
    state = app.state
    with _making:  # requests run in threads; make one engine, not one each
        if not hasattr(state, "job_reader"):
            engine = reader_engine(state.session_factory.kw.get("bind"))
            # autoflush off: a read may touch a row in memory (a token's last use), not write it
            state.job_reader = (
                None if engine is None else make_session_factory(engine, autoflush=False)
            )
    reader: sessionmaker[Session] | None = state.job_reader
    return reader


def close_reader(app: Any) -> None:
    """Close the reader's connections (when the app stops)."""
    reader = getattr(app.state, "job_reader", None)
    if reader is not None:
        reader.kw["bind"].dispose()
        app.state.job_reader = None


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for reading jobs that does not wait for a running job; never commits."""
    reader = reader_for(request.app)
    if reader is None:
        yield from get_session(request)
        return
    with reader() as session:
        tenancy.set_organisation(session, None)
        try:
            yield session
        finally:
            session.rollback()


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


def get_read_principal(
    session: ReadSessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    x_liveqc_org: Annotated[
        str | None,
        Header(description="Organisation id to act in (for users in several organisations)"),
    ] = None,
) -> Principal:
    """The API caller, as ``CurrentPrincipal``, resolved on the read session."""
    return get_principal(session, credentials, x_liveqc_org)


ReadPrincipal = Annotated[Principal, Depends(get_read_principal)]


def get_read_console_principal(request: Request, session: ReadSessionDep) -> Principal:
    """The console user, as ``ConsolePrincipal``, resolved on the read session."""
    from liveqc.web.views import console_principal

    return console_principal(request, session)


ReadConsolePrincipal = Annotated[Principal, Depends(get_read_console_principal)]


def mark_seen(request: Request, session: Session, principal: Principal, job: Job) -> None:
    """Read the notification of a finished job: in ``session`` when it can write, else in a
    short transaction of its own (the job has ended, so the writer is not held by it)."""
    if not job.status.is_finished or job.seen_at is not None:
        return
    if reader_for(request.app) is None:
        service.mark_seen(session, [job], user_id=principal.user.id)
        return
    with request.app.state.session_factory() as writer, writer.begin():
        tenancy.set_organisation(writer, principal.organisation.id)
        mine = service.get_or_raise(writer, job.id, user_id=principal.user.id)
        service.mark_seen(writer, [mine], user_id=principal.user.id)
