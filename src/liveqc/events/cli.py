"""`liveqc audit verify`."""

from __future__ import annotations

import typer

from liveqc.config import get_settings

audit_app = typer.Typer(
    help="The audit trail.\n\nExample: liveqc audit verify", no_args_is_help=True
)


@audit_app.command("verify")
def verify() -> None:
    """Check the audit hash chain; name the first broken entry (exit 1 when broken).

    Example: liveqc audit verify
    """
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from liveqc.events import service

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    with session_scope(make_session_factory(engine)) as session:
        report = service.verify(session)
    if report.ok:
        typer.echo(f"audit chain ok: {report.checked} entries verified")
        return
    typer.echo(
        f"audit chain BROKEN at entry {report.broken_id}: {report.reason} "
        f"({report.checked} entries before it are intact)",
        err=True,
    )
    raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add `audit` to the root app."""
    root.add_typer(audit_app, name="audit")
