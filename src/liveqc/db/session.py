"""Database engine and sessions: ``make_db_engine(settings)``, ``make_session_factory``,
``session_scope`` and small backend-specific helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import ConfigurationError


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def make_db_engine(settings: Settings, **kwargs: Any) -> Engine:
    """Build the SQLAlchemy engine for ``settings.database_url``.

    SQLite gets foreign keys on, a busy timeout, WAL with ``synchronous=NORMAL``, and real
    transactions (the driver's own implicit transaction handling is turned off so that
    SAVEPOINT and transactional DDL work); transactions are serialised, which suits the
    embedded single-node use.
    """
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise ConfigurationError(
            f"LIVEQC_DATABASE_URL: cannot parse {settings.database_url!r}; "
            "use e.g. sqlite:///liveqc.db or postgresql+psycopg://user@host/db"
        ) from None
    if url.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        if url.database not in (None, "", ":memory:"):
            # SQLite runs one write transaction at a time anyway; queueing for the single
            # connection is fair and immediate, unlike SQLite's sleeping busy handler.
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", 60)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # WAL: readers never wait for the writer and a commit appends to the log instead of
        # rewriting pages; NORMAL syncs at checkpoints only, which WAL keeps crash-safe (a power
        # cut may lose the last transactions, never corrupt the file). A commit drops from
        # several fsyncs to none, which is what the live ingest latency is made of.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE: take the write lock up front, so that two transactions that read and then
        # write wait for each other (busy timeout) instead of failing with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(bind: Any, **kwargs: Any) -> sessionmaker[Session]:
    """A session factory whose sessions enforce tenancy (see ``liveqc.db.tenancy``)."""
    tenancy.install(Session)
    kwargs.setdefault("expire_on_commit", False)
    return sessionmaker(bind=bind, **kwargs)


@contextmanager
def session_scope(
    factory: sessionmaker[Session], *, organisation_id: int | None = None
) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error (for the CLI and scripts)."""
    with factory() as session, session.begin():
        tenancy.set_organisation(session, organisation_id)
        yield session


def lock_audit_chain(session: Session) -> None:
    """Serialise writers of the audit chain until the transaction ends.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite takes the database write lock
    (a no-op write) so two writers cannot both read the same chain head.
    """
    backend = session.get_bind().dialect.name
    if backend == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7143520001)"))
    elif backend == "sqlite":
        session.execute(text("UPDATE audit_events SET id = id WHERE 0"))


def ping(engine: Engine) -> None:
    """Raise if the database cannot run ``SELECT 1``."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@contextmanager
def system_session(
    factory: sessionmaker[Session], *, reason: str, actor_user_id: int | None = None
) -> Iterator[Session]:
    """One transaction that sees every organisation, for system tasks (maintenance, scheduled
    disclosure). Opening it is logged and written to the audit trail.

    Inside a request, use ``tenancy.bypass_tenancy`` on the request's own session instead: the
    embedded SQLite database serves one connection at a time.
    """
    from liveqc.events.service import record

    with factory() as session, session.begin():
        tenancy.set_organisation(session, None)
        with tenancy.bypass_tenancy(session, reason=reason, actor_user_id=actor_user_id):
            record(
                session,
                actor_user_id,
                None,
                ("tenancy", "bypass"),
                "bypass",
                None,
                {"reason": reason},
            )
            yield session
