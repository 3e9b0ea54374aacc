"""One writer per process for WebSocket ingest: coalesce what every connection has queued into
one transaction per organisation, so the cost of a commit is shared by many segments.

Memory stays bounded: each connection has at most one batch in flight here (it waits for its
acks before sending the next), and batches wait in arrival order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from liveqc.db.session import session_scope
from liveqc.live_sessions.ingest.process import process_many
from liveqc.live_sessions.schemas import SegmentIn

log = logging.getLogger("liveqc.live_sessions.ingest")
#: Most segments in one transaction.
MAX_SEGMENTS = 400


@dataclass
class _Job:
    organisation_id: int
    user_id: int | None
    live_session_id: int
    segments: Sequence[SegmentIn]
    done: asyncio.Future[list[dict[str, Any]]]


class IngestWriter:
    """``workers`` transactions may run at once (1 for SQLite, which writes one at a time;
    a few for PostgreSQL, whose round trips then overlap). Sessions are locked in id order, so
    concurrent transactions cannot deadlock on them."""

    def __init__(
        self, factory: sessionmaker[Session], max_segments: int = MAX_SEGMENTS, workers: int = 1
    ) -> None:
        self.factory = factory
        self.max_segments = max_segments
        self.workers = workers
        self._queue: asyncio.Queue[_Job] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.transactions = 0

    async def submit(
        self,
        *,
        organisation_id: int,
        user_id: int | None,
        live_session_id: int,
        segments: Sequence[SegmentIn],
    ) -> list[dict[str, Any]]:
        """Queue one session's segments; returns their acks (JSON) once committed."""
        if not self._tasks or all(task.done() for task in self._tasks):
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            self._tasks = [loop.create_task(self._run()) for _ in range(self.workers)]
        assert self._queue is not None
        job = _Job(
            organisation_id,
            user_id,
            live_session_id,
            segments,
            asyncio.get_running_loop().create_future(),
        )
        await self._queue.put(job)
        return await job.done

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            jobs = [await self._queue.get()]
            count = len(jobs[0].segments)
            while not self._queue.empty() and count < self.max_segments:
                jobs.append(self._queue.get_nowait())
                count += len(jobs[-1].segments)
            by_org: dict[int, list[_Job]] = {}
            for job in jobs:
                by_org.setdefault(job.organisation_id, []).append(job)
            for org_id, org_jobs in by_org.items():
                try:
                    results = await run_in_threadpool(self._write, org_id, org_jobs)
                except Exception as exc:
                    log.exception("ingest transaction failed for organisation %s", org_id)
                    for job in org_jobs:
                        if not job.done.done():
                            job.done.set_exception(exc)
                    continue
                for job, acks in zip(org_jobs, results, strict=True):
                    if not job.done.done():
                        job.done.set_result(acks)

    def _write(self, org_id: int, jobs: list[_Job]) -> list[list[dict[str, Any]]]:
        with session_scope(self.factory, organisation_id=org_id) as session:
            results = process_many(
                session,
                [(job.live_session_id, job.segments) for job in jobs],
                actor=jobs[0].user_id,
            )
            self.transactions += 1
        return [[ack.model_dump(mode="json") for ack in acks] for acks in results]


def writer_for(app: Any) -> IngestWriter:
    """The application's writer (created on first use)."""
    writer = getattr(app.state, "live_ingest_writer", None)
    if writer is None:
        factory = app.state.session_factory
        bind = factory.kw.get("bind")
        backend = getattr(getattr(bind, "dialect", None), "name", "sqlite")
        writer = IngestWriter(factory, workers=1 if backend == "sqlite" else 4)
        app.state.live_ingest_writer = writer
    return writer
