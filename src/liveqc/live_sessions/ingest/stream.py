"""Server-sent events for alerts: the backlog after ``Last-Event-ID``, then live ones."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio.from_thread
from fastapi import Request
from fastapi.responses import StreamingResponse

from liveqc.live_sessions.ingest.hub import HUB, Subscription

HEARTBEAT_SECONDS = 15.0
Feed = tuple[Subscription, list[dict[str, Any]]]
RECONNECT_MS = 2000


def last_event_id(request: Request, after_id: int | None) -> int:
    """The id the client saw last: the ``Last-Event-ID`` header, else ``after_id``, else 0."""
    header = request.headers.get("last-event-id", "").strip()
    if header.isdigit() and len(header) <= 10:
        return int(header)
    return after_id or 0


def _event(payload: dict[str, Any]) -> str:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"id: {payload['id']}\nevent: alert\ndata: {data}\n\n"


async def _events(
    request: Request,
    sub: Subscription,
    backlog: list[dict[str, Any]],
    max_seconds: float,
) -> AsyncIterator[str]:
    seen = 0
    try:
        yield f"retry: {RECONNECT_MS}\n\n"
        for payload in backlog:
            seen = max(seen, payload["id"])
            yield _event(payload)
        deadline = time.monotonic() + max_seconds
        while not sub.lagged:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                payload = await asyncio.wait_for(
                    sub.queue.get(), timeout=min(left, HEARTBEAT_SECONDS)
                )
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if payload["id"] > seen or payload.get("disposition") != "open":
                seen = max(seen, payload["id"])
                yield _event(payload)
    finally:
        HUB.unsubscribe(sub)


def open_feed(
    organisation_id: int,
    live_session_id: int | None,
    load_backlog: Callable[[], list[dict[str, Any]]],
) -> Feed:
    """Subscribe, then read the backlog, so nothing falls between the two.

    Call it from a sync dependency (a worker thread that already holds the request's database
    session): the endpoint then streams without holding a thread or a connection.
    """
    loop = anyio.from_thread.run_sync(asyncio.get_running_loop)
    sub = HUB.subscribe(organisation_id, live_session_id, loop=loop)
    try:
        backlog = load_backlog()
    except BaseException:
        HUB.unsubscribe(sub)
        raise
    return sub, backlog


def feed_response(request: Request, feed: Feed, max_seconds: float) -> StreamingResponse:
    sub, backlog = feed
    return StreamingResponse(
        _events(request, sub, backlog, max_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
