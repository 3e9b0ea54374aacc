"""Live-session commands: ``liveqc prices parse`` lists the prices said in host speech.

Input follows ``liveqc scan`` (see ``liveqc.engine.scanio``): plain text is one utterance a line
with its line number as id; JSON Lines carry ``id`` and ``text``. Output is written only after
every input was read, so unreadable input leaves standard output empty.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from liveqc.engine.prices import KINDS, PriceMention, extract_prices
from liveqc.engine.scanio import Utterance, read_utterances
from liveqc.errors import InputError

prices_app = typer.Typer(
    name="prices",
    help="Prices said on air, from spoken Chinese and Arabic numerals.",
    no_args_is_help=True,
)


class PriceFormat(StrEnum):
    jsonl = "jsonl"
    text = "text"


def _open(path: str, stack: ExitStack) -> tuple[IO[bytes], str]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return stack.enter_context(Path(path).open("rb")), path
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read file ({exc.strerror or type(exc).__name__})"
        ) from None


def _read(paths: list[str]) -> list[Utterance]:
    """Every utterance of every input, in order (JSON Lines: .jsonl, or a first line ``{``)."""
    utterances: list[Utterance] = []
    with ExitStack() as stack:
        for path in paths:
            stream, source = _open(path, stack)
            jsonl = True if path.endswith(".jsonl") else None
            utterances += read_utterances(stream, source=source, jsonl=jsonl, with_context=False)
    return utterances


def _describe(m: PriceMention) -> str:
    return f"{m.match} [{m.start}:{m.end}] {m.amount:g} {m.kind}"


@prices_app.command("parse")
def parse(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files to read; standard input when none or '-'.")
    ] = None,
    output_format: Annotated[
        PriceFormat,
        typer.Option("--format", help="jsonl: one object per utterance; text: for people."),
    ] = PriceFormat.jsonl,
) -> None:
    """Find every price said in each utterance: amount in yuan, kind, and where it was said.

    Kinds: original (原价, 日常价, 外面卖…), current (到手价, 只要, 今天…) and other (coupons,
    thresholds, savings, deposits, shipping, subsidies, red packets, gift values).

    Example: echo '原价两百九十九 今天只要九十九' | liveqc prices parse
    """
    sources = paths or ["-"]
    found = [(u, extract_prices(u.text)) for u in _read(sources)]
    lines: list[str] = []
    if output_format is PriceFormat.jsonl:
        for utterance, mentions in found:
            record: dict[str, Any] = {
                "id": utterance.id,
                "prices": [
                    {
                        "start": m.start,
                        "end": m.end,
                        "match": m.match,
                        "amount": m.amount,
                        "kind": m.kind,
                    }
                    for m in mentions
                ],
            }
            if len(sources) > 1:
                record["source"] = utterance.source
            lines.append(json.dumps(record, ensure_ascii=False))
    else:
        kinds: Counter[str] = Counter()
        for utterance, mentions in found:
            kinds.update(m.kind for m in mentions)
            said = "; ".join(_describe(m) for m in mentions) or "-"
            lines.append(f"{utterance.source}:{utterance.line}: {said}")
        counts = ", ".join(f"{kinds[k]} {k}" for k in KINDS)
        lines.append(f"{len(found)} utterances, {kinds.total()} prices ({counts})")
    if lines:
        typer.echo("\n".join(lines))


session_app = typer.Typer(
    name="session",
    help="Live sessions: report, replay a recording, purge by the retention policy.\n\n"
    "Example: liveqc session report 1 --format pdf --output report.pdf",
    no_args_is_help=True,
)


def _factory() -> Any:
    from liveqc.config import get_settings
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory

    engine = make_db_engine(get_settings())
    require_current_schema(engine)
    return make_session_factory(engine)


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"


@session_app.command("list")
def list_sessions(
    org: Annotated[str, typer.Option("--org", help="Organisation name or id.")],
) -> None:
    """List an organisation's live sessions: id, status, schedule, title.

    Example: liveqc session list --org 星河直播
    """
    from liveqc.accounts.service import get_organisation_or_raise
    from liveqc.db.session import session_scope
    from liveqc.live_sessions import service

    factory = _factory()
    with session_scope(factory) as session:
        org_id = get_organisation_or_raise(session, org).id
    with session_scope(factory, organisation_id=org_id) as session:
        rows, _ = service.list_(session, limit=200)
        for live in rows:
            label = " [AI virtual host]" if live.has_virtual_host else ""
            typer.echo(
                f"{live.id}\t{live.status}\t{live.scheduled_at:%Y-%m-%d %H:%M}Z\t"
                f"{live.title}{label}"
            )


@session_app.command("report")
def report_command(
    live_session_id: Annotated[int, typer.Argument(help="Live session id.", min=1)],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="html or pdf.")
    ] = ReportFormat.html,
    output: Annotated[
        Path | None, typer.Option("--output", help="File to write; standard output for HTML.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh-CN or en.")] = "zh-CN",
) -> None:
    """Write the session's compliance report (timeline, findings, prices, dispositions).

    Example: liveqc session report 1 --format pdf --output session-1.pdf
    """
    from liveqc.db.session import session_scope
    from liveqc.live_sessions import report, service
    from liveqc.live_sessions.replay import organisation_of

    if output_format is ReportFormat.pdf and output is None:
        raise InputError("--output: a PDF needs a file to write to")
    factory = _factory()
    org_id = organisation_of(factory, live_session_id)
    with session_scope(factory, organisation_id=org_id) as session:
        data = report.build(session, service.get_or_raise(session, live_session_id))
        if output_format is ReportFormat.pdf:
            body: bytes = report.render_pdf(data, lang)
        else:
            body = report.render_html(data, lang).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(body)
        return
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror})") from None
    typer.echo(f"wrote {output} ({len(body)} bytes)", err=True)


@session_app.command("replay")
def replay_command(
    path: Annotated[Path, typer.Argument(help="Recorded transcript, JSON Lines.")],
    live_session_id: Annotated[int, typer.Option("--session", help="Live session id.", min=1)],
    speed: Annotated[
        float, typer.Option("--speed", help="Times faster than the stream; 0: no waiting.", min=0)
    ] = 10.0,
    url: Annotated[
        str | None, typer.Option("--url", help="A running liveqc (http://host:port).")
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="API token (with --url).")] = None,
) -> None:
    """Play a recorded transcript into a session: through the ingest WebSocket of a running
    server (--url, --token), or straight into the database.

    Example: liveqc session replay recordings/xinghe.jsonl --session 2 --speed 10
    """
    from liveqc.live_sessions import replay

    if url:
        if not token:
            raise InputError("--token: required with --url")
        summary = replay.replay_url(
            path, url=url, token=token, live_session_id=live_session_id, speed=speed
        )
    else:
        summary = replay.replay_local(
            _factory(), path, live_session_id=live_session_id, speed=speed
        )
    codes = ", ".join(f"{code} {n}" for code, n in sorted(summary.codes.items())) or "none"
    typer.echo(
        f"sent {summary.sent}: {summary.stored} stored, {summary.duplicate} duplicate, "
        f"{summary.refused} refused; {summary.alerts} alerts ({codes})"
    )


@session_app.command("purge-expired")
def purge_expired(
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Sessions per transaction.", min=1, max=10_000)
    ] = 100,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would go.")] = False,
) -> None:
    """Delete ended sessions past their organisation's retention (at least 3 years), in
    batches, each batch audited.

    Example: liveqc session purge-expired --batch-size 100 --dry-run
    """
    from sqlalchemy import select

    from liveqc.accounts.models import Organisation
    from liveqc.db.session import session_scope
    from liveqc.db.types import utcnow
    from liveqc.live_sessions import flows

    factory = _factory()
    now = utcnow()
    with session_scope(factory) as session:
        orgs = list(
            session.scalars(
                select(
                    Organisation.id,
                ).order_by(Organisation.id)
            )
        )
    total = 0
    for org_id in orgs:
        while True:
            with session_scope(factory, organisation_id=org_id) as session:
                ids = flows.purge_expired_batch(
                    session, now=now, batch_size=batch_size, dry_run=dry_run
                )
            total += len(ids)
            if ids:
                verb = "would delete" if dry_run else "deleted"
                typer.echo(f"organisation {org_id}: {verb} sessions {', '.join(map(str, ids))}")
            if dry_run or len(ids) < batch_size:
                break
    typer.echo(f"{'would purge' if dry_run else 'purged'} {total} expired sessions")


def register(root: typer.Typer) -> None:
    """Add the live-session commands (``liveqc prices ...``, ``liveqc session ...``)."""
    root.add_typer(prices_app, name="prices")
    root.add_typer(session_app, name="session")
