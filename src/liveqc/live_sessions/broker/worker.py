"""``liveqc worker``: pull batches from every partition, store and scan them with the same
function as the in-process path (``ingest``), ack after the commit, answer the web process,
publish alerts.

At-least-once: a batch is acknowledged to JetStream only after its transaction commits. A worker
killed before that leaves the batch unacknowledged, and JetStream redelivers it (after
``ACK_WAIT_SECONDS`` without a heartbeat) to whichever worker pulls next; segments already
stored come back as ``duplicate`` (idempotency by segment id), so nothing is lost and no finding
is stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from liveqc.config import Settings
from liveqc.db.session import session_scope
from liveqc.errors import LiveQCError
from liveqc.live_sessions.broker.channel import (
    HEARTBEAT_SECONDS,
    Batch,
    Names,
    connect,
    ensure_consumers,
    ensure_stream,
)
from liveqc.live_sessions.ingest.hub import PENDING_KEY
from liveqc.live_sessions.ingest.process import ingest
from liveqc.live_sessions.models import LiveSession
from liveqc.runtime import warm_up

log = logging.getLogger("liveqc.live_sessions.broker")

#: Longest wait of one pull request; a stopping worker notices the stop within this time.
FETCH_SECONDS = 1.0
#: Most segments stored in one transaction.
MAX_SEGMENTS = 400
#: Longest nak delay: redeliveries back off 1, 2, 4 … seconds up to this.
MAX_RETRY_DELAY_SECONDS = 15.0


@dataclass
class _Job:
    message: Msg
    batch: Batch
    done: asyncio.Future[None]


def default_concurrency(factory: sessionmaker[Session]) -> int:
    """1 on SQLite (one writer at a time), 4 on PostgreSQL."""
    bind = factory.kw.get("bind")
    return 1 if getattr(getattr(bind, "dialect", None), "name", "sqlite") == "sqlite" else 4


class Worker:
    """Consumes every partition (at most one batch per partition is in flight across all
    workers); ``concurrency`` transactions run at once, each storing the batches waiting."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        *,
        concurrency: int | None = None,
        name: str = "liveqc-worker",
    ) -> None:
        self.settings = settings
        self.names = Names.from_settings(settings)
        self.factory = factory
        self.concurrency = concurrency or default_concurrency(factory)
        self.name = name
        self.batches = 0
        self.retries = 0

    async def run(self, stop: asyncio.Event, ready: Callable[[], None] | None = None) -> None:
        """Consume until ``stop`` is set; the batches in hand are finished and acknowledged.

        Raises:
            BrokerUnavailable: NATS cannot be reached.
        """
        client = await connect(self.settings.nats_url, name=self.name)
        try:
            await asyncio.to_thread(warm_up)
            js = client.jetstream()
            await ensure_stream(js, self.names)
            await ensure_consumers(js, self.names)
            subs = [
                await js.pull_subscribe_bind(
                    durable=self.names.consumer(p), stream=self.names.stream
                )
                for p in range(self.names.partitions)
            ]
            queue: asyncio.Queue[_Job | None] = asyncio.Queue()
            writers = [
                asyncio.create_task(self._write(client, queue)) for _ in range(self.concurrency)
            ]
            if ready is not None:
                ready()
            try:
                await asyncio.gather(*(self._consume(sub, queue, stop) for sub in subs))
            finally:
                for _ in writers:
                    queue.put_nowait(None)
                await asyncio.gather(*writers, return_exceptions=True)
        finally:
            with contextlib.suppress(Exception):
                await client.flush(timeout=2)
            await client.close()

    async def _consume(
        self,
        sub: JetStreamContext.PullSubscription,
        queue: asyncio.Queue[_Job | None],
        stop: asyncio.Event,
    ) -> None:
        """Pull one partition; its next batch comes only after this one is acknowledged."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                messages = await sub.fetch(1, timeout=FETCH_SECONDS)
            except nats.errors.TimeoutError:
                continue
            except (nats.errors.Error, OSError) as exc:
                log.warning("pull failed (%s); retrying", exc or type(exc).__name__)
                await asyncio.sleep(FETCH_SECONDS)
                continue
            for message in messages:
                try:
                    batch = Batch.decode(message.data)
                except (ValueError, KeyError, TypeError, ValidationError):
                    log.error("dropping a malformed batch on %s", message.subject)
                    await message.term()
                    continue
                job = _Job(message, batch, loop.create_future())
                beating = asyncio.create_task(_heartbeat(message))
                try:
                    await queue.put(job)
                    await job.done
                finally:
                    beating.cancel()

    async def _write(self, client: NATS, queue: asyncio.Queue[_Job | None]) -> None:
        """Take every batch waiting (other partitions' batches, up to ``MAX_SEGMENTS``) and
        store them in one transaction per organisation, so a commit serves many batches."""
        while True:
            first = await queue.get()
            if first is None:
                return
            jobs, count = [first], len(first.batch.segments)
            while not queue.empty() and count < MAX_SEGMENTS:
                job = queue.get_nowait()
                if job is None:
                    queue.put_nowait(None)  # for this writer's next turn
                    break
                jobs.append(job)
                count += len(job.batch.segments)
            by_org: dict[int, list[_Job]] = {}
            for job in jobs:
                by_org.setdefault(job.batch.organisation_id, []).append(job)
            for org_jobs in by_org.values():
                try:
                    await self._handle(client, org_jobs)
                except Exception:  # e.g. NATS gone while acking: what was not acked comes back
                    log.exception("handling %d batches failed", len(org_jobs))
                finally:
                    for job in org_jobs:
                        if not job.done.done():
                            job.done.set_result(None)

    async def _handle(self, client: NATS, jobs: list[_Job]) -> None:
        try:
            replies = await asyncio.to_thread(self._store, [job.batch for job in jobs])
        except LiveQCError as exc:  # a batch is refused for good (e.g. an unknown session)
            if len(jobs) > 1:  # find which: each batch on its own
                for job in jobs:
                    await self._handle(client, [job])
                return
            await jobs[0].message.ack()
            await self._publish(client, jobs[0].batch.reply, {"error": _error(exc)})
            return
        except SQLAlchemyError as exc:
            for job in jobs:
                await self._retry_later(job.message, f"database error: {type(exc).__name__}")
            return
        except Exception:
            log.exception("storing %d batches failed", len(jobs))
            for job in jobs:
                await self._retry_later(job.message, "unexpected error")
            return
        alerts: list[dict[str, Any]] = []
        for job, reply in zip(jobs, replies, strict=True):
            await job.message.ack()
            self.batches += 1
            await self._publish(client, job.batch.reply, reply)
            alerts += [alert for ack in reply["acks"] for alert in ack["alerts"]]
        if alerts:
            org = jobs[0].batch.organisation_id
            await self._publish(client, self.names.alerts_subject(org), alerts)

    def _store(self, batches: list[Batch]) -> list[dict[str, Any]]:
        """One transaction for batches of one organisation (of different sessions: one batch
        per partition is in flight), committed before this returns; the JetStream acks follow."""
        org = batches[0].organisation_id
        with session_scope(self.factory, organisation_id=org) as session:
            results = ingest(
                session,
                [(batch.live_session_id, batch.segments) for batch in batches],
                actor=batches[0].user_id,
            )
            # this process's hub has no subscribers: the alerts go out over NATS after the ack
            session.info.pop(PENDING_KEY, None)
            positions = {
                row.id: row
                for row in session.execute(
                    select(LiveSession.id, LiveSession.last_seq, LiveSession.last_segment_id).where(
                        LiveSession.id.in_([batch.live_session_id for batch in batches])
                    )
                )
            }
            replies = [
                {
                    "acks": acks,
                    "last_seq": positions[batch.live_session_id].last_seq,
                    "last_segment_id": positions[batch.live_session_id].last_segment_id,
                }
                for batch, acks in zip(batches, results, strict=True)
            ]
        return replies

    async def _retry_later(self, message: Msg, why: str) -> None:
        deliveries = message.metadata.num_delivered or 1
        delay = min(2.0 ** (deliveries - 1), MAX_RETRY_DELAY_SECONDS)
        log.warning("%s; batch %s redelivered in %.0f s", why, message.subject, delay)
        self.retries += 1
        await message.nak(delay=delay)

    async def _publish(self, client: NATS, subject: str, payload: Any) -> None:
        if not subject:
            return
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            await client.publish(subject, data)
        except nats.errors.Error as exc:  # the web side resends; the alert is in the database
            log.warning("could not publish to %s: %s", subject, exc)


async def _heartbeat(message: Msg) -> None:
    """Tell JetStream the batch is still being worked on (queued or storing), so it is not
    redelivered to another worker while this one is alive."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            await message.in_progress()
        except Exception as exc:  # NATS gone: the batch comes back after the ack wait anyway
            log.debug("heartbeat failed: %s", exc)
            return


def _error(exc: LiveQCError) -> dict[str, str]:
    return {"code": exc.code, "title": exc.title, "detail": exc.detail}
