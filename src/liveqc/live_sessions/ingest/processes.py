"""Writer processes: the transactions of WebSocket ingest run in child processes.

A web process that scanned and stored its own segments ran them on the same interpreter lock
as its event loop: at 2,000 segments/s the two took turns and segments queued behind each
other. Here the web process still coalesces batches (``IngestWriter``) and answers the sockets,
and each transaction runs in a child with its own interpreter and its own database connection.

The child runs ``ingest`` exactly as the web process would and returns the acks after its
commit; the web process then publishes the alerts the acks carry to its hub, so console streams
see them as before. A child that dies fails the transactions it held (their segments are
acknowledged ``rejected`` with the seq to resend from, which is safe: ingest is idempotent)
and is replaced for the next one.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from liveqc.api.logs import configure_logging
from liveqc.config import Settings
from liveqc.db.registry import load_all_models
from liveqc.db.session import make_db_engine, make_session_factory, session_scope
from liveqc.live_sessions.ingest.hub import HUB
from liveqc.live_sessions.ingest.process import ingest
from liveqc.live_sessions.schemas import SegmentIn
from liveqc.runtime import settle_for_serving

log = logging.getLogger("liveqc.live_sessions.ingest")

Work = list[tuple[int, Sequence[SegmentIn]]]
Acks = list[list[dict[str, Any]]]

#: The child's session factory, made by ``_initialise``.
_FACTORY: sessionmaker[Session] | None = None


class WriterProcessFailed(RuntimeError):
    """A writer process died while it held a transaction; the segments were not acknowledged."""


class WriterProcesses:
    """``count`` child processes (spawned, not forked: the web process runs threads) that each
    run one ingest transaction at a time."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_initialise,
                initargs=(self.settings, os.getpid()),
            )
        return self._pool

    async def start(self) -> list[int]:
        """Start every child and wait until each has its connection and warm rule catalogue
        (a child starts in about a second); returns their process ids."""
        loop = asyncio.get_running_loop()
        pool = self._executor()
        # each call holds its child for a moment, so the pool has to start all of them
        pids = await asyncio.gather(
            *(loop.run_in_executor(pool, _pid_after, 0.2) for _ in range(self.count))
        )
        return sorted(set(pids))

    async def ingest(self, organisation_id: int, actor: int | None, work: Work) -> Acks:
        """One transaction in a child; the alerts of its acks are published here.

        Raises:
            WriterProcessFailed: the child died before it answered.
        """
        loop = asyncio.get_running_loop()
        pool = self._executor()
        try:
            results: Acks = await loop.run_in_executor(
                pool, _ingest_in_child, organisation_id, actor, work
            )
        except BrokenProcessPool as exc:
            if self._pool is pool:
                self._pool, self.restarts = None, self.restarts + 1
                pool.shutdown(wait=False, cancel_futures=True)
                log.error("an ingest writer process died; starting a new one")
            raise WriterProcessFailed("the writer process stopped") from exc
        for acks in results:
            for ack in acks:
                for alert in ack["alerts"]:
                    HUB.publish(organisation_id, alert)
        return results

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _initialise(settings: Settings, parent_pid: int) -> None:
    """Child start-up: logging, a connection pool of its own, the warm rule catalogue."""
    global _FACTORY
    # Ctrl-C reaches the whole process group: the web process stops its children itself,
    # after the transactions they hold
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.log_level)
    load_all_models()  # every mapper, as in the web process (foreign keys name them all)
    _FACTORY = make_session_factory(make_db_engine(settings))
    settle_for_serving()
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    """A child whose web process was killed has no one to answer: it leaves too."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _ingest_in_child(organisation_id: int, actor: int | None, work: Work) -> Acks:
    assert _FACTORY is not None, "the writer process was not initialised"
    with session_scope(_FACTORY, organisation_id=organisation_id) as session:
        return ingest(session, work, actor=actor)
