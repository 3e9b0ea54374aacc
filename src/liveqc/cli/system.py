"""`liveqc serve`, `liveqc db upgrade` and `liveqc demo load`."""

from __future__ import annotations

from typing import Annotated

import typer

from liveqc.config import get_settings

db_app = typer.Typer(help="Database commands.\n\nExample: liveqc db upgrade", no_args_is_help=True)
demo_app = typer.Typer(
    help="Demo data commands.\n\nExample: liveqc demo load", no_args_is_help=True
)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default LIVEQC_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default LIVEQC_PORT, 8000).")] = None,
) -> None:
    """Serve the API and the console.

    Example: liveqc serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from liveqc.api.app import create_app
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory
    from liveqc.demo.data import DEMO_PASSWORD, USERS
    from liveqc.runtime import settle_for_serving

    settings = get_settings()
    engine = make_db_engine(settings)
    require_current_schema(engine)
    factory = make_session_factory(engine)
    host = host or settings.host
    port = port or settings.port
    url = f"http://{host}:{port}"
    typer.echo(f"liveqc console: {url}/   API docs: {url}/api/docs")
    from liveqc.accounts.service import get_user_by_email

    with factory() as session:
        if get_user_by_email(session, USERS[0][0]) is not None:
            typer.echo(f"demo logins (password {DEMO_PASSWORD}):")
            for email, _, org, roles in USERS:
                typer.echo(f"  {email:<30} {org} ({', '.join(r.value for r in roles)})")
    app = create_app(settings, session_factory=factory)
    settle_for_serving()
    # liveqc logs every request itself, with its request id; uvicorn's access log would repeat it.
    # Ingest messages are short JSON: per-message compression would cost CPU for nothing.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
        ws_per_message_deflate=False,
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database named by LIVEQC_DATABASE_URL.

    Example: liveqc db upgrade
    """
    from liveqc.db.migrate import upgrade
    from liveqc.db.session import make_db_engine, safe_url

    settings = get_settings()
    engine = make_db_engine(settings)
    before, after = upgrade(engine, revision)
    if before == after:
        typer.echo(f"database {safe_url(engine.url)} is up to date (revision {after})")
    else:
        typer.echo(f"database {safe_url(engine.url)} migrated: {before or 'empty'} -> {after}")


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo organisations, users, suppliers and products (safe to run again).

    Refused when LIVEQC_ENV=production.

    Example: liveqc demo load
    """
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from liveqc.demo.loader import load

    settings = get_settings()
    engine = make_db_engine(settings)
    require_current_schema(engine)
    with session_scope(make_session_factory(engine)) as session:
        ctx = load(session, settings)
    if ctx.created:
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(ctx.created.items()))
        typer.echo(f"demo data loaded: created {summary}")
    else:
        typer.echo("demo data already present: nothing to create")


def register(root: typer.Typer) -> None:
    """Add serve, db and demo to the root app."""
    root.command("serve")(serve)
    root.add_typer(db_app, name="db")
    root.add_typer(demo_app, name="demo")
