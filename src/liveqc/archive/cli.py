"""CLI: `liveqc audit-archive` (registered by ``register``)."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from liveqc.archive.audit import (
    FINDINGS_FILE,
    SUMMARY_FILE,
    ScanSpec,
    Summary,
    check_category,
    engine_for,
    parse_codes,
    prepare_output,
    run_audit,
)
from liveqc.archive.runners import make_runner
from liveqc.archive.sources import expand_paths
from liveqc.errors import InputError


class EngineKind(StrEnum):
    local = "local"
    dask = "dask"


class _RichProgress:
    """A progress bar on standard error (only used when it is a terminal)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[files]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None

    def __enter__(self) -> _RichProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def start(self, total: int) -> None:
        self._task = self._bar.add_task("rows", total=total or None, files="")

    def advance(self, rows: int) -> None:
        self._bar.advance(self._task, rows)

    def files(self, done: int, total: int, utterances: int) -> None:
        note = f"files {done}/{total} · utterances {utterances:,}"
        self._bar.update(self._task, files=note)


def _print_summary(summary: Summary) -> None:
    console = Console(highlight=False)
    table = Table(title="Findings by code / 按违规类型", title_justify="left")
    table.add_column("code")
    table.add_column("findings", justify="right")
    for code, n in summary.to_dict()["findings_by_code"].items():
        table.add_row(code, f"{n:,}")
    table.add_row("total", f"{summary.findings:,}", style="bold")
    console.print(table)
    console.print(
        f"files {len(summary.files):,} · utterances {summary.utterances:,} "
        f"({summary.flagged:,} with findings) · bad rows {summary.bad_rows:,}\n"
        f"{summary.engine} × {summary.workers} worker{'s' * (summary.workers != 1)}: "
        f"{summary.seconds:.2f} s, {summary.throughput:,.0f} utterances/s "
        f"(startup {summary.startup_seconds:.2f} s)\n"
        f"output: {Path(summary.output, FINDINGS_FILE)}, {Path(summary.output, SUMMARY_FILE)}"
    )


def audit_archive(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH_OR_GLOB",
            help="JSON Lines / Parquet files, globs ('**' recurses) or folders (recursive).",
        ),
    ],
    engine: Annotated[
        EngineKind, typer.Option("--engine", help="local: a process pool; dask: Dask distributed.")
    ] = EngineKind.local,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of an existing Dask scheduler (default: a LocalCluster)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: the cores of this machine).")
    ] = None,
    output: Annotated[
        Path, typer.Option(help="Folder for findings.parquet and summary.json.")
    ] = Path("archive-audit"),
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Extra rule packs: a pack folder or a folder of packs."),
    ] = None,
    codes: Annotated[
        str | None, typer.Option(metavar="CODE,...", help="Only report these violation codes.")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Product category for rows that name none.")
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Report bad rows in the summary but do not exit 2."),
    ] = False,
    chunk_rows: Annotated[
        int, typer.Option(min=1, help="Rows per part handed to a worker.")
    ] = 20_000,
) -> None:
    """Audit archived transcripts; write findings as Parquet plus a summary.

    Exit status: 0 no findings, 1 findings, 2 bad usage or bad input.

    Unreadable files and malformed rows are listed in summary.json; --skip-bad accepts them.

    Example: liveqc audit-archive 'archive/2025-*/**/*.parquet' --engine dask --workers 2
    """
    spec = ScanSpec(
        rules=tuple(str(p.resolve()) for p in rules or ()),
        codes=parse_codes(codes),
        category=check_category(category),
    )
    files = expand_paths(paths)
    prepare_output(output)
    catalogue = engine_for(spec.rules).version
    runner = make_runner(engine.value, spec.rules, workers, scheduler)
    bar = _RichProgress() if sys.stderr.isatty() else None
    with runner, bar or nullcontext():
        summary = run_audit(
            files,
            runner,
            output=output,
            spec=spec,
            catalogue=catalogue,
            chunk_rows=chunk_rows,
            progress=bar,
        )
    _print_summary(summary)
    if summary.bad_rows and not skip_bad:
        first = summary.errors[0]
        where = first["file"] if first["line"] is None else f"{first['file']}:{first['line']}"
        more = summary.bad_rows - 1
        raise InputError(
            f"{where}: {first['error']}"
            + (f" (and {more} more)" if more else "")
            + f"; see {Path(summary.output, SUMMARY_FILE)}, or pass --skip-bad"
        )
    raise typer.Exit(1 if summary.findings else 0)


def register(root: typer.Typer) -> None:
    """Add `audit-archive` to the root app."""
    root.command("audit-archive")(audit_archive)
