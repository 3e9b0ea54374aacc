"""``liveqc worker``: the broker-mode consumer (see docs/scaling.md)."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from liveqc.config import get_settings

if TYPE_CHECKING:
    from liveqc.live_sessions.broker.worker import Worker


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Batches stored at once (default 1 on SQLite, 4 on PostgreSQL).",
        ),
    ] = None,
) -> None:
    """Store and scan the live segments the web processes publish to NATS JetStream
    (LIVEQC_INGEST_MODE=broker), until SIGTERM or Ctrl-C; the batches in hand are finished.

    Uses LIVEQC_DATABASE_URL, LIVEQC_NATS_URL, LIVEQC_NATS_PREFIX and LIVEQC_INGEST_PARTITIONS.
    Prints `worker ready` once it consumes.

    Example: LIVEQC_NATS_URL=nats://127.0.0.1:4222 liveqc worker --concurrency 4
    """
    from liveqc.api.logs import configure_logging
    from liveqc.db.migrate import require_current_schema
    from liveqc.db.session import make_db_engine, make_session_factory
    from liveqc.live_sessions.broker.worker import Worker
    from liveqc.runtime import settle_for_serving

    settings = get_settings()
    configure_logging(settings.log_level)
    engine = make_db_engine(settings)
    require_current_schema(engine)
    runner = Worker(settings, make_session_factory(engine), concurrency=concurrency)
    settle_for_serving()
    try:
        asyncio.run(_serve(runner))
    finally:
        engine.dispose()
    typer.echo(f"worker stopped after {runner.batches} batches")


async def _serve(runner: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    def ready() -> None:
        sys.stdout.write("worker ready\n")
        sys.stdout.flush()

    await runner.run(stop, ready=ready)


def register(root: typer.Typer) -> None:
    """Add ``liveqc worker``."""
    root.command("worker")(worker)
