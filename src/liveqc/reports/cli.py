"""``liveqc report bluebook``: write the Blue Book as HTML, PDF or XLSX.

Thin: parse options, open one transaction in the chosen scope, call the collection layer.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from liveqc.errors import InputError
from liveqc.reports.schemas import Lang, Period, ReportFormat

report_app = typer.Typer(
    help="Reports.\n\nExample: liveqc report bluebook --period 2026 --format pdf -o bluebook.pdf "
    "--org 星河直播",
    no_args_is_help=True,
)
STEPS = ("industry", "supervision", "quality", "after_sales", "spot_checks", "challenges", "render")


@contextmanager
def _scope(org: str | None, everyone: bool) -> Iterator[tuple[Any, Any]]:
    """A read transaction in one organisation, or across all of them (logged and audited)."""
    from liveqc.accounts import service as accounts
    from liveqc.config import get_settings
    from liveqc.db import tenancy
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import (
        make_db_engine,
        make_session_factory,
        session_scope,
        system_session,
    )

    if everyone == (org is not None):
        raise InputError("give exactly one of --org ORG or --all")
    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    factory = make_session_factory(engine)
    if everyone:
        with system_session(factory, reason="blue book report for all organisations") as session:
            yield session, None
        return
    with session_scope(factory) as session:
        organisation = accounts.get_organisation_or_raise(session, org or "")
        tenancy.set_organisation(session, organisation.id)
        yield session, organisation


@contextmanager
def _progress() -> Iterator[Any]:
    """A Rich progress bar on stderr when stderr is a terminal; otherwise silent."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("blue book", total=len(STEPS))

        started: list[str] = []

        def advance(name: str) -> None:
            """Step ``name`` begins: the previous one is done."""
            bar.update(task, advance=1 if started else 0, description=name)
            started.append(name)

        yield advance
        bar.update(task, completed=len(STEPS))


@report_app.command("bluebook")
def bluebook_command(
    period: Annotated[str, typer.Option("--period", help="A year (2026) or a month (2026-03).")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html, pdf or xlsx.")] = (
        ReportFormat.html
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (HTML: stdout if omitted).")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name or id.")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every organisation.")] = False,
    market_csv: Annotated[
        Path | None,
        typer.Option(
            "--market", help="Market figures CSV (default: the shipped national example)."
        ),
    ] = None,
    no_market: Annotated[
        bool, typer.Option("--no-market", help="Leave market figures out.")
    ] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="zh-CN or en.")] = Lang.zh_cn,
) -> None:
    """Write the Blue Book of a period: industry status, supervision, quality control,
    after-sales, spot checks and disclosure, challenges and measures.

    Example: liveqc report bluebook --period 2026 --format pdf -o bluebook.pdf --org 星河直播
    """
    from liveqc.db.types import utcnow
    from liveqc.reports import collect, market

    span = Period.parse(period)
    if output is None and fmt is not ReportFormat.html and sys.stdout.isatty():
        raise InputError(f"--output is required for {fmt.value} on a terminal")
    figures = [] if no_market else market.load(market_csv)
    with _progress() as advance, _scope(org, everyone) as (session, organisation):
        body = collect.generate(
            session,
            period=span,
            organisation=organisation,
            fmt=fmt,
            lang=lang.value,
            market=figures,
            generated_at=utcnow(),
            progress=advance,
        )
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output} ({len(body):,} bytes)", err=True)


def register(root: typer.Typer) -> None:
    """Add ``liveqc report`` to the root app."""
    root.add_typer(report_app, name="report")
