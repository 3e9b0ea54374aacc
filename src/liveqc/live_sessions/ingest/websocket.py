"""The ingest WebSocket protocol, with a bounded queue per connection.

Server → client: ``hello`` (last acknowledged seq and segment id, to resume from), one ``ack``
per segment (its id, status, the last acknowledged seq and the alerts it raised), ``slow_down``
when the queue is full, and ``error`` for a message that is not a segment.

Back-pressure: a reader task moves messages from the socket into a queue of ``max_queue``
segments; a processor task drains it in batches. When the queue is full the reader tells the
client to slow down once and then stops reading until there is room, so the socket's own flow
control holds the client back and memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from pydantic import ValidationError

from liveqc.live_sessions.schemas import SegmentIn

MAX_QUEUE = 64
MAX_BATCH = 32
RETRY_AFTER_MS = 250
_CLOSED = object()


class Socket(Protocol):
    async def receive_text(self) -> str: ...
    async def send_json(self, data: Any) -> None: ...


ProcessBatch = Callable[[list[SegmentIn]], Awaitable[list[dict[str, Any]]]]


class Disconnected(Exception):
    """The client went away."""


class IngestConnection:
    """One client's ingest stream: read, queue (bounded), process in batches, acknowledge."""

    def __init__(
        self,
        socket: Socket,
        process: ProcessBatch,
        *,
        max_queue: int = MAX_QUEUE,
        max_batch: int = MAX_BATCH,
        disconnect_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.socket = socket
        self.process = process
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max_queue)
        self.max_batch = max_batch
        self.disconnect_errors = disconnect_errors
        self.high_water = 0
        self.slow_downs = 0
        self._send_lock = asyncio.Lock()
        self._closed = False

    async def send(self, data: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.socket.send_json(data)

    async def _read(self) -> None:
        try:
            while True:
                try:
                    raw = await self.socket.receive_text()
                except self.disconnect_errors:
                    return
                segment = await self._parse(raw)
                if segment is None:
                    continue
                if self.queue.full():
                    self.slow_downs += 1
                    await self.send(
                        {
                            "type": "slow_down",
                            "retry_after_ms": RETRY_AFTER_MS,
                            "queued": self.queue.qsize(),
                        }
                    )
                await self.queue.put(segment)
                self.high_water = max(self.high_water, self.queue.qsize())
        finally:
            self._closed = True
            # when full, the processor sees ``_closed`` once it has emptied the queue
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(_CLOSED)

    async def _parse(self, raw: str) -> SegmentIn | None:
        try:  # the common case in one pass (pydantic parses the JSON; ``type`` is ignored)
            return SegmentIn.model_validate_json(raw)
        except ValidationError:
            pass
        # a bad message: parse again step by step, to answer exactly what is wrong with it
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("a message must be a JSON object")
            data.pop("type", None)
            return SegmentIn.model_validate(data)
        except ValidationError as exc:
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            segment_id = data.get("segment_id") if isinstance(data, dict) else None
            await self.send({"type": "error", "segment_id": segment_id, "errors": errors})
        except ValueError as exc:
            await self.send({"type": "error", "segment_id": None, "detail": str(exc)})
        return None

    async def _drain(self) -> None:
        while True:
            if self._closed and self.queue.empty():
                return
            first = await self.queue.get()
            if first is _CLOSED:
                return
            batch = [first]
            closed = False
            while len(batch) < self.max_batch and not self.queue.empty():
                item = self.queue.get_nowait()
                if item is _CLOSED:
                    closed = True
                    break
                batch.append(item)
            acks = await self.process(batch)
            async with self._send_lock:  # one message per ack, written back to back
                for ack in acks:
                    await self.socket.send_json({"type": "ack", **ack})
            if closed:
                return

    async def run(self) -> None:
        """Serve until the client disconnects; queued segments are still processed."""
        reader = asyncio.create_task(self._read())
        try:
            await self._drain()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, *self.disconnect_errors):
                await reader
