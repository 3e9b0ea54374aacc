"""Alembic environment: runs on the connection liveqc hands over (see liveqc.db.migrate)."""

from __future__ import annotations

from alembic import context

from liveqc.db.registry import load_all_models

target_metadata = load_all_models()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from liveqc.config import get_settings
        from liveqc.db.session import make_db_engine

        engine = make_db_engine(get_settings())
        with engine.begin() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("liveqc migrations run online only: use `liveqc db upgrade`")
run_migrations_online()
