"""In-process fan-out of new alerts to console streams (server-sent events).

Alerts are published only after the transaction that stored them commits, so a subscriber
never sees an alert that was rolled back. Each subscriber has a bounded queue: a subscriber
that falls behind is marked lagged and its stream closes, and the browser reconnects with
``Last-Event-ID`` and reads what it missed from the database.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

PENDING_KEY = "liveqc.live_alerts_pending"


class Subscription:
    """One stream's view of the hub: an organisation, optionally one session."""

    def __init__(
        self,
        organisation_id: int,
        live_session_id: int | None,
        size: int,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.organisation_id = organisation_id
        self.live_session_id = live_session_id
        self.loop = loop or asyncio.get_running_loop()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=size)
        self.lagged = False

    def wants(self, payload: Mapping[str, Any]) -> bool:
        return self.live_session_id in (None, payload.get("live_session_id"))

    def offer(self, payload: dict[str, Any]) -> None:
        """Queue ``payload`` (runs on the subscriber's loop); a full queue marks it lagged."""
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.lagged = True


class AlertHub:
    """Subscribers by organisation; publish is safe from any thread."""

    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[int, set[Subscription]] = {}
        self._lock = threading.Lock()

    def subscribe(
        self,
        organisation_id: int,
        live_session_id: int | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> Subscription:
        """Subscribe for the event loop that will read the queue (default: the running one)."""
        sub = Subscription(organisation_id, live_session_id, self.queue_size, loop)
        with self._lock:
            self._subscribers.setdefault(organisation_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subscribers.get(sub.organisation_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[sub.organisation_id]

    def subscriber_count(self, organisation_id: int) -> int:
        with self._lock:
            return len(self._subscribers.get(organisation_id, ()))

    def publish(self, organisation_id: int, payload: dict[str, Any]) -> None:
        with self._lock:
            subs = [s for s in self._subscribers.get(organisation_id, ()) if s.wants(payload)]
        for sub in subs:
            if sub.loop.is_closed():
                continue
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is sub.loop:
                sub.offer(payload)
                continue
            try:
                sub.loop.call_soon_threadsafe(sub.offer, payload)
            except RuntimeError:  # the loop closed meanwhile: that stream is gone
                self.unsubscribe(sub)


#: The process's hub (uvicorn runs one process per worker; each has its own).
HUB = AlertHub()


def _publish_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None) or []
    for organisation_id, payload in pending:
        HUB.publish(organisation_id, payload)


def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def publish_after_commit(
    session: Session, organisation_id: int, payloads: list[dict[str, Any]]
) -> None:
    """Publish ``payloads`` to the hub once ``session``'s transaction commits."""
    if not payloads:
        return
    if not event.contains(session, "after_commit", _publish_pending):
        event.listen(session, "after_commit", _publish_pending)
        event.listen(session, "after_rollback", _drop_pending)
    session.info.setdefault(PENDING_KEY, []).extend((organisation_id, p) for p in payloads)
