"""`liveqc complaints ...`: triage and the statutory helpers (thin; logic lives in the modules)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from liveqc.complaints import calendar, remedies
from liveqc.complaints.classify import classify
from liveqc.engine.scanio import Utterance, read_utterances
from liveqc.errors import InputError

app = typer.Typer(
    name="complaints",
    help="Consumer complaints: triage, deadlines and statutory remedies.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    """How to print the result: JSON Lines for programs, a table for people."""

    jsonl = "jsonl"
    text = "text"


class CompensationRule(StrEnum):
    """Which statutory compensation to compute."""

    food = "food"
    fraud = "fraud"


def _read(paths: list[str]) -> list[Utterance]:
    """Every complaint of every input, in order, read as `liveqc scan` reads utterances."""
    utterances: list[Utterance] = []
    with ExitStack() as stack:
        for path in paths:
            if path == "-":
                stream, source = sys.stdin.buffer, "<stdin>"
            else:
                try:
                    stream, source = stack.enter_context(Path(path).open("rb")), path
                except OSError as exc:
                    raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
            jsonl = True if path.endswith(".jsonl") else None
            utterances += read_utterances(stream, source=source, jsonl=jsonl, with_context=False)
    return utterances


@app.command("classify")
def classify_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to read; standard input when none or '-'.")
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", help="jsonl: one object per complaint; text: for people."),
    ] = OutputFormat.jsonl,
    explain: Annotated[
        bool, typer.Option("--explain", help="Add the cues that fired as 'reasons'.")
    ] = False,
) -> None:
    """Classify complaints; print JSON Lines {id, category, urgent} in input order.

    Input is JSON Lines ({"id", "text"}; a .jsonl file or a first line starting with "{") or
    plain text, one complaint a line with its line number as id; blank plain lines are skipped.

    Example: liveqc complaints classify complaints.jsonl
    """
    lines = []
    for utterance in _read(paths or ["-"]):
        if not utterance.text.strip():
            continue
        result = classify(utterance.text)
        if output_format is OutputFormat.text:
            flag = " URGENT" if result.urgent else ""
            reasons = f"  ({'; '.join(result.reasons)})" if explain and result.reasons else ""
            lines.append(f"{utterance.id}\t{result.category.value}{flag}{reasons}")
            continue
        row: dict[str, Any] = {
            "id": utterance.id,
            "category": result.category.value,
            "urgent": result.urgent,
        }
        if explain:
            row["reasons"] = list(result.reasons)
        lines.append(json.dumps(row, ensure_ascii=False))
    if lines:
        click.echo("\n".join(lines))


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


@app.command("deadline")
def deadline_command(
    received: Annotated[str, typer.Option(help="Date the complaint was received (YYYY-MM-DD).")],
    first_response: Annotated[
        int, typer.Option(min=0, help="First response, in working days.")
    ] = calendar.DEFAULT_FIRST_RESPONSE_WORKING_DAYS,
    resolution: Annotated[
        int, typer.Option(min=0, help="Resolution, in working days (12315 default: 10).")
    ] = calendar.DEFAULT_RESOLUTION_WORKING_DAYS,
) -> None:
    """Print the due dates of a complaint, counted in Chinese working days, as JSON.

    Example: liveqc complaints deadline --received 2025-09-30
    """
    policy = calendar.DeadlinePolicy(first_response, resolution)
    due = calendar.compute_deadlines(_date(received, "--received"), policy)
    click.echo(
        json.dumps(
            {
                "received_on": due.received_on.isoformat(),
                "first_response_due": due.first_response_due.isoformat(),
                "resolution_due": due.resolution_due.isoformat(),
            }
        )
    )


@app.command("compensation")
def compensation_command(
    rule: Annotated[
        CompensationRule, typer.Argument(help="food (FSL art. 148) or fraud (CRPL 55)")
    ],
    price: Annotated[str, typer.Option(help="Price paid, in yuan.")],
    loss: Annotated[str, typer.Option(help="Loss suffered, in yuan (food only).")] = "0",
) -> None:
    """Print the statutory punitive compensation as JSON (amounts as strings, in yuan).

    Example: liveqc complaints compensation food --price 59.9
    """
    if rule is CompensationRule.food:
        result = remedies.food_safety_compensation(price, loss)
    else:
        result = remedies.fraud_compensation(price)
    click.echo(
        json.dumps(
            {
                "rule": result.rule,
                "amount": str(result.amount),
                "basis": result.basis,
                "explanation": result.explanation,
            },
            ensure_ascii=False,
        )
    )


@app.command("return-window")
def return_window_command(
    received: Annotated[str, typer.Option(help="Date the consumer signed for the goods.")],
    exclusion: Annotated[
        remedies.ReturnExclusion | None, typer.Option(help="Class of goods that may be excluded.")
    ] = None,
    confirmed: Annotated[
        bool, typer.Option(help="The consumer confirmed non-returnability at purchase.")
    ] = False,
) -> None:
    """Print whether the 7-day no-reason return applies and its last day, as JSON.

    Example: liveqc complaints return-window --received 2025-10-01 --exclusion perishable
    """
    window = remedies.return_window(
        _date(received, "--received"), exclusion, consumer_confirmed=confirmed
    )
    click.echo(
        json.dumps(
            {
                "applies": window.applies,
                "last_day": window.last_day.isoformat() if window.last_day else None,
                "reason": window.reason,
                "basis": window.basis,
            },
            ensure_ascii=False,
        )
    )


@app.command("escalate-overdue")
def escalate_overdue_command(
    at: Annotated[
        str | None, typer.Option(help="Check as of this ISO date-time (UTC); default now.")
    ] = None,
) -> None:
    """Flag every open complaint past its deadline, in every organisation, with an alert;
    prints one JSON line per complaint flagged (urgent safety incidents first).

    Example: liveqc complaints escalate-overdue
    """
    from liveqc.complaints import flows, service
    from liveqc.config import get_settings
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory, system_session
    from liveqc.db.types import utcnow

    now = utcnow()
    if at is not None:
        try:
            now = dt.datetime.fromisoformat(at)
        except ValueError:
            raise InputError(f"--at: {at!r} is not an ISO date-time") from None
        now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    factory = make_session_factory(engine)
    with system_session(factory, reason="scheduled overdue complaint check") as session:
        flagged = flows.escalate_overdue(session, now)
        lines = [
            {
                "id": c.id,
                "organisation_id": c.organisation_id,
                "status": c.status.value,
                "category": c.category.value,
                "urgent": c.is_urgent,
                "due": str(service.next_due(c)),
            }
            for c in flagged
        ]
    for line in lines:
        click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(f"{len(lines)} overdue complaint(s) escalated", err=True)


def register(root: typer.Typer) -> None:
    """Add the `complaints` sub-app to the root app."""
    root.add_typer(app, name="complaints")
