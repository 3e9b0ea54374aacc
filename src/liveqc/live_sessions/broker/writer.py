"""The web side of broker mode: ``BrokerWriter`` publishes each batch to its session's partition
and waits for the worker's reply (the same acks as the in-process ``IngestWriter``), and forwards
the alerts workers publish into this process's hub, so console streams see them."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.from_thread
import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext
from sqlalchemy.orm import Session

from liveqc import errors
from liveqc.config import IngestMode, Settings
from liveqc.live_sessions.broker.channel import (
    Batch,
    BrokerUnavailable,
    Names,
    connect,
    ensure_stream,
)
from liveqc.live_sessions.ingest.hub import HUB
from liveqc.live_sessions.ingest.process import unanswered_acks
from liveqc.live_sessions.schemas import SegmentIn

log = logging.getLogger("liveqc.live_sessions.broker")

#: How long a connection waits for a worker's answer before it tells the client to resend.
REPLY_TIMEOUT_SECONDS = 30.0
PUBLISH_TIMEOUT_SECONDS = 5.0


class BrokerWriter:
    """Same ``submit`` as ``IngestWriter``; one NATS connection per web process."""

    def __init__(self, settings: Settings, *, reply_timeout: float = REPLY_TIMEOUT_SECONDS):
        self.settings = settings
        self.names = Names.from_settings(settings)
        self.reply_timeout = reply_timeout
        self._client: NATS | None = None
        self._js: JetStreamContext | None = None
        self._inbox = ""
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._starting: asyncio.Lock | None = None
        self.alerts_forwarded = 0

    async def start(self) -> None:
        """Connect, make sure the stream exists, subscribe to replies and alerts.

        Raises:
            BrokerUnavailable: NATS cannot be reached.
        """
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._client is not None and not self._client.is_closed:
                return
            client = await connect(self.settings.nats_url, name="liveqc-web")
            js = client.jetstream()
            await ensure_stream(js, self.names)
            inbox = client.new_inbox()
            await client.subscribe(f"{inbox}.*", cb=self._on_reply)
            await client.subscribe(self.names.alerts_wildcard, cb=self._on_alerts)
            self._client, self._js, self._inbox = client, js, inbox

    async def close(self) -> None:
        client, self._client = self._client, None
        for future in self._pending.values():
            future.cancel()
        if client is not None and not client.is_closed:
            await client.close()

    async def submit(
        self,
        *,
        organisation_id: int,
        user_id: int | None,
        live_session_id: int,
        segments: Sequence[SegmentIn],
    ) -> list[dict[str, Any]]:
        """Publish one session's segments; returns their acks (JSON) once a worker committed."""
        reply = await self.submit_batch(
            organisation_id=organisation_id,
            user_id=user_id,
            live_session_id=live_session_id,
            segments=segments,
        )
        acks: list[dict[str, Any]] = reply["acks"]
        return acks

    async def submit_batch(
        self,
        *,
        organisation_id: int,
        user_id: int | None,
        live_session_id: int,
        segments: Sequence[SegmentIn],
    ) -> dict[str, Any]:
        """The worker's whole reply: ``acks``, ``last_seq`` and ``last_segment_id``.

        Raises:
            LiveQCError: the worker refused the batch (e.g. ``NotFound`` for the session).
        """
        try:
            await self.start()
        except BrokerUnavailable as exc:
            log.warning("broker mode: %s", exc)
            return unanswered(segments, "the broker is unreachable")
        token = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[token] = future
        batch = Batch(
            organisation_id, user_id, live_session_id, list(segments), f"{self._inbox}.{token}"
        )
        try:
            try:
                await self._publish(batch, token)
            except (nats.errors.Error, OSError) as exc:
                log.warning("publishing a batch failed: %s", exc or type(exc).__name__)
                return unanswered(segments, "the broker did not take the batch")
            try:
                reply = await asyncio.wait_for(future, self.reply_timeout)
            except TimeoutError:
                return unanswered(segments, f"no worker answered within {self.reply_timeout:.0f} s")
        finally:
            self._pending.pop(token, None)
        if "error" in reply:
            raise _as_error(reply["error"])
        return reply

    async def _publish(self, batch: Batch, token: str) -> None:
        """Publish under the batch's ``Nats-Msg-Id``; a publish that timed out is retried once
        under the same id (JetStream drops it if the first got in). A client's resend of a batch
        JetStream already saw is published under a fresh id, or no worker would answer it."""
        assert self._js is not None
        subject = self.names.segments_subject(self.names.partition_of(batch.live_session_id))
        data, msg_id = batch.encode(), batch.message_id()
        for attempt in (1, 2):
            try:
                ack = await self._js.publish(
                    subject, data, headers={"Nats-Msg-Id": msg_id}, timeout=PUBLISH_TIMEOUT_SECONDS
                )
            except nats.errors.TimeoutError:
                if attempt == 2:
                    raise
                continue
            if ack.duplicate and attempt == 1:
                await self._js.publish(
                    subject,
                    data,
                    headers={"Nats-Msg-Id": f"{msg_id}:{token}"},
                    timeout=PUBLISH_TIMEOUT_SECONDS,
                )
            return

    async def _on_reply(self, message: Msg) -> None:
        future = self._pending.get(message.subject.rpartition(".")[2])
        if future is None or future.done():
            return  # a late or repeated answer (a redelivered batch): the client has moved on
        try:
            future.set_result(json.loads(message.data))
        except ValueError:
            log.error("unreadable reply on %s", message.subject)

    async def _on_alerts(self, message: Msg) -> None:
        try:
            organisation_id = int(message.subject.rpartition(".")[2])
            payloads = json.loads(message.data)
        except ValueError:
            log.error("unreadable alerts on %s", message.subject)
            return
        for payload in payloads:
            HUB.publish(organisation_id, payload)
            self.alerts_forwarded += 1


def unanswered(segments: Sequence[SegmentIn], why: str) -> dict[str, Any]:
    """A reply for a batch no worker answered (see ``unanswered_acks``)."""
    first = segments[0].seq
    return {"acks": unanswered_acks(segments, why), "last_seq": first - 1, "last_segment_id": None}


def _as_error(error: dict[str, Any]) -> errors.LiveQCError:
    """The worker's refusal as the same error class, so the edges answer as in-process."""
    code = str(error.get("code", ""))
    detail = str(error.get("detail", "the worker refused the batch"))
    pending: list[type[errors.LiveQCError]] = [errors.LiveQCError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            try:
                return cls(detail)
            except TypeError:  # a subclass that needs more than a detail
                break
        pending.extend(cls.__subclasses__())
    return errors.LiveQCError(detail)


def submit_from_thread(
    app: Any,
    session: Session,
    *,
    organisation_id: int,
    user_id: int | None,
    live_session_id: int,
    segments: Sequence[SegmentIn],
) -> dict[str, Any]:
    """For a synchronous endpoint: end the request's transaction first (a worker writes, and
    SQLite has one writer and one connection per process), then wait for the worker's reply on
    the application's event loop."""
    from liveqc.live_sessions.ingest.writer import writer_for

    session.commit()
    writer = writer_for(app)
    assert isinstance(writer, BrokerWriter)
    return anyio.from_thread.run(
        functools.partial(
            writer.submit_batch,
            organisation_id=organisation_id,
            user_id=user_id,
            live_session_id=live_session_id,
            segments=segments,
        )
    )


@asynccontextmanager
async def running_broker(app: Any) -> AsyncIterator[None]:
    """App lifespan: in broker mode, connect at startup (alerts flow before the first ingest)
    and close the connection at shutdown; in-process mode does nothing."""
    settings: Settings = app.state.settings
    if settings.ingest_mode is not IngestMode.BROKER:
        yield
        return
    from liveqc.live_sessions.ingest.writer import writer_for

    writer = writer_for(app)
    assert isinstance(writer, BrokerWriter)
    await writer.start()
    try:
        yield
    finally:
        await writer.close()
