from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from liveqc.db.migrate import current_revision, head_revision, require_current_schema, upgrade
from liveqc.db.registry import load_all_models
from liveqc.db.session import make_db_engine
from liveqc.errors import ConfigurationError
from tests.conftest import drop_pg_schema, make_pg_schema_engine, make_settings

CORE_TABLES = {
    "organisations",
    "users",
    "memberships",
    "api_tokens",
    "audit_events",
    "suppliers",
    "products",
}


def test_upgrade_from_empty_creates_the_schema(db_engine: Engine) -> None:
    tables = set(inspect(db_engine).get_table_names())
    assert tables >= CORE_TABLES
    with db_engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_autogenerate_finds_no_difference(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, load_all_models())
    assert diff == []


def test_upgrade_on_fresh_sqlite_and_again_is_a_no_op(tmp_path: Path) -> None:
    engine = make_db_engine(make_settings(tmp_path))
    before, after = upgrade(engine)
    assert (before, after) == (None, head_revision())
    assert upgrade(engine) == (head_revision(), head_revision())
    engine.dispose()


def test_upgrade_on_fresh_postgresql_schema(pg_url: str) -> None:
    engine, schema = make_pg_schema_engine(pg_url)
    try:
        assert upgrade(engine) == (None, head_revision())
        assert set(inspect(engine).get_table_names()) >= CORE_TABLES
    finally:
        engine.dispose()
        drop_pg_schema(pg_url, schema)


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
    engine = make_db_engine(make_settings(tmp_path, database_url=url))
    with pytest.raises(ConfigurationError) as caught:
        upgrade(engine)
    message = str(caught.value)
    assert "cannot reach the database" in message and "LIVEQC_DATABASE_URL" in message
    assert "secret" not in message and "\n" not in message


def test_missing_sqlite_directory_is_one_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    engine = make_db_engine(make_settings(tmp_path, database_url=url))
    with pytest.raises(ConfigurationError, match="cannot reach the database"):
        upgrade(engine)


def test_failed_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    engine = make_db_engine(make_settings(tmp_path))
    from alembic import op

    original = op.create_table
    calls = {"n": 0}

    def failing_create_table(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)

    monkeypatch.setattr(op, "create_table", failing_create_table)
    with pytest.raises(ConfigurationError, match="rolled back"):
        upgrade(engine)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    engine = make_db_engine(make_settings(tmp_path))
    with pytest.raises(ConfigurationError, match="liveqc db upgrade"):
        require_current_schema(engine)
    engine.dispose()
