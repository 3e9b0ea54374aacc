"""Alembic, configured in code so that `liveqc db upgrade` works from any directory."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from liveqc.config import Settings
from liveqc.db.session import make_db_engine, safe_url
from liveqc.errors import ConfigurationError, LiveQCError

SCRIPT_LOCATION = "liveqc.db:migrations"


def alembic_config(connection: Connection) -> Config:
    """An Alembic Config that runs on ``connection`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``revision`` in one transaction; return (revision before, revision after).

    Raises ConfigurationError naming the problem and the fix when the database cannot be
    reached or a migration fails; a failed migration leaves nothing behind.
    """
    url = safe_url(engine.url)
    try:
        with engine.begin() as connection:
            before = current_revision(connection)
            command.upgrade(alembic_config(connection), revision)
            after = current_revision(connection)
    except OperationalError as exc:
        raise ConfigurationError(
            f"cannot reach the database {url} ({_first_line(exc)}); "
            "check LIVEQC_DATABASE_URL and that the server is running"
        ) from None
    except (DBAPIError, LiveQCError, Exception) as exc:
        raise ConfigurationError(
            f"migration of {url} failed and was rolled back ({type(exc).__name__}: "
            f"{_first_line(exc)}); fix the cause and run `liveqc db upgrade` again"
        ) from exc
    return before, after


def require_current_schema(engine: Engine) -> None:
    """Raise unless the database is migrated to the latest revision."""
    url = safe_url(engine.url)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    except OperationalError as exc:
        raise ConfigurationError(
            f"cannot reach the database {url} ({_first_line(exc)}); "
            "check LIVEQC_DATABASE_URL and that the server is running"
        ) from None
    if current != head_revision():
        raise ConfigurationError(
            f"the database {url} is at revision {current or 'none'}, not the latest; "
            "run `liveqc db upgrade` first"
        )


def engine_for(settings: Settings, **kwargs: Any) -> Engine:
    return make_db_engine(settings, **kwargs)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
