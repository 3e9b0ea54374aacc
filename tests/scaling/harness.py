"""What the fault tests share: the data they stream, a client that resends until everything is
acknowledged, and the checks on what was stored.

The client keeps the ingest protocol of docs/live-sessions.md: segments go in seq order; after
a disconnect, a stall, a gap or a server error it reconnects and resends from the ``hello``'s
``expected_seq``. A ``hello`` that expects a seq the server already acknowledged would mean an
acknowledged segment was lost; the client records that instead of resending quietly.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

#: (text, kind); the 原价 lines are judged against the product's 7-day low price (79), so they
#: also prove the worker scans with the product's facts.
LINES = [
    ("家人们看一下这个质地，非常清爽", "transcript"),
    ("这款是全网最低价", "transcript"),
    ("原价一百二十九，今天只要七十九", "transcript"),
    ("三十毫升一瓶，可以用两个月", "transcript"),
    ("用了一周就能美白淡斑", "transcript"),
    ("原价七十九，今天直播间送小样", "transcript"),
    ("想要的加微信私聊", "comment"),
    ("我们支持七天无理由退货", "transcript"),
    ("效果立竿见影，无效退款", "transcript"),
    ("链接已经上好了，大家可以去看看", "transcript"),
]
LOW_PRICE = Decimal(79)


@dataclass
class Seeded:
    token: str
    organisation_id: int
    product_id: int
    sessions: dict[int, int]  # live session id -> its lineup item id
    spare: tuple[int, int]  # a session (and its item) for warming up, outside the checks


def seed(engine: Engine, sessions: int) -> Seeded:
    """An agency with an API token, an approved product with a price history, and live sessions."""
    from liveqc.db.session import make_session_factory, session_scope
    from liveqc.demo.ingest_load import seed_sessions_on_air

    with session_scope(make_session_factory(engine)) as session:
        on_air = seed_sessions_on_air(
            session, sessions + 1, name="扩展测试直播", price_3_days_ago=LOW_PRICE
        )
    lives = dict(on_air.sessions)
    spare = lives.popitem()
    return Seeded(on_air.token, on_air.organisation_id, on_air.product_id, lives, spare)


def segments_for(live_id: int, item_id: int, count: int) -> list[dict[str, Any]]:
    """``count`` segments, seq 1…count; about half break a rule."""
    out = []
    for seq in range(1, count + 1):
        text, kind = LINES[(seq + live_id) % len(LINES)]
        segment: dict[str, Any] = {
            "segment_id": f"s{live_id}-{seq}",
            "seq": seq,
            "start_ms": seq * 1000,
            "end_ms": seq * 1000 + 900,
            "speaker": "host" if kind == "transcript" else "viewer",
            "kind": kind,
            "text": f"{text}（{seq}）",
        }
        if kind == "transcript":
            segment["lineup_item_id"] = item_id
        out.append(segment)
    return out


@dataclass
class Progress:
    """Shared between the client thread and the test: what the server acknowledged, when."""

    total: int
    acked: dict[tuple[int, str], float] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # acknowledged, then forgotten by the server
    failures: list[str] = field(default_factory=list)
    reconnects: int = 0
    troubles: list[str] = field(default_factory=list)  # why the client reconnected
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, live_id: int, segment_id: str) -> None:
        with self.lock:
            self.acked.setdefault((live_id, segment_id), time.monotonic())

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def snapshot(self) -> set[tuple[int, str]]:
        with self.lock:
            return set(self.acked)


async def stream_until_acked(
    port: int,
    token: str,
    live_id: int,
    segments: list[dict[str, Any]],
    progress: Progress,
    *,
    rate: float,
    window: int = 8,
    stall_seconds: float = 4.0,
    deadline: float,
) -> None:
    """Send ``segments`` at about ``rate``/s, ``window`` unacknowledged at most, and resend
    from the server's ``expected_seq`` after any trouble until all are acknowledged."""
    import websockets

    url = f"ws://127.0.0.1:{port}/api/v1/live-sessions/{live_id}/ingest"
    by_seq = {s["seq"]: s for s in segments}

    def acked_upto() -> int:
        """The highest seq such that it and every seq before it were acknowledged."""
        seq = 0
        while seq < len(segments) and (live_id, by_seq[seq + 1]["segment_id"]) in progress.acked:
            seq += 1
        return seq

    while acked_upto() < len(segments):
        if time.monotonic() > deadline:
            progress.failures.append(f"session {live_id}: acked up to {acked_upto()} at deadline")
            return
        try:
            async with websockets.connect(
                url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5
            ) as ws:
                try:
                    hello = json.loads(await asyncio.wait_for(ws.recv(), stall_seconds))
                except TimeoutError:
                    raise ConnectionError(f"no hello within {stall_seconds} s") from None
                if hello.get("type") != "hello":
                    raise ConnectionError(f"no hello: {hello}")
                expected = int(hello["expected_seq"])
                if expected <= acked_upto():
                    progress.lost.append(
                        f"session {live_id}: acked seq {acked_upto()}, server expects {expected}"
                    )
                for seq in range(1, expected):
                    progress.ack(live_id, by_seq[seq]["segment_id"])
                await _exchange(
                    ws, live_id, by_seq, expected, progress, rate, window, stall_seconds
                )
        except (OSError, TimeoutError, ConnectionError, websockets.WebSocketException) as exc:
            progress.troubles.append(
                f"{time.monotonic():.1f} session {live_id}: {type(exc).__name__}: {exc}"[:300]
            )
        if acked_upto() < len(segments):
            progress.reconnects += 1
            await asyncio.sleep(0.3)


async def _exchange(
    ws: Any,
    live_id: int,
    by_seq: dict[int, dict[str, Any]],
    start: int,
    progress: Progress,
    rate: float,
    window: int,
    stall_seconds: float,
) -> None:
    """One connection's worth of sending, until every segment is acknowledged."""
    last = len(by_seq)
    next_seq = start
    acked_upto = start - 1
    while acked_upto < last:
        while next_seq <= last and next_seq - acked_upto <= window:
            await ws.send(json.dumps(by_seq[next_seq], ensure_ascii=False))
            next_seq += 1
            await asyncio.sleep(1 / rate)
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), stall_seconds))
        except TimeoutError:
            waiting = f"{acked_upto + 1}..{next_seq - 1}"
            raise ConnectionError(f"no ack within {stall_seconds} s for seq {waiting}") from None
        if message.get("type") != "ack":
            if message.get("type") == "slow_down":
                continue
            raise ConnectionError(f"server said {message}")
        if message["status"] not in ("stored", "duplicate"):
            # a gap, or a batch no worker answered in time ("not acknowledged: …; resend"), is
            # resent; a stale or otherwise rejected segment is a failure of the test
            retry = message["status"] == "gap" or message["detail"].startswith("not acknowledged")
            if not retry:
                progress.failures.append(f"session {live_id}: {message}")
            raise ConnectionError(f"resend needed: {message}")
        progress.ack(live_id, message["segment_id"])
        while acked_upto < last and (live_id, by_seq[acked_upto + 1]["segment_id"]) in (
            progress.acked
        ):
            acked_upto += 1


def run_clients(
    port: int,
    token: str,
    work: dict[int, list[dict[str, Any]]],
    progress: Progress,
    *,
    rate: float,
    timeout: float,
    stall_seconds: float = 4.0,
) -> threading.Thread:
    """Stream every session's segments from a background thread (its own event loop)."""
    deadline = time.monotonic() + timeout

    async def main() -> None:
        await asyncio.gather(
            *(
                stream_until_acked(
                    port,
                    token,
                    live_id,
                    segments,
                    progress,
                    rate=rate,
                    stall_seconds=stall_seconds,
                    deadline=deadline,
                )
                for live_id, segments in work.items()
            )
        )

    def target() -> None:
        try:
            asyncio.run(main())
        except Exception as exc:  # reported by the test, not lost in the thread
            progress.failures.append(repr(exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def warm_up(port: int, token: str, live_id: int, item_id: int, timeout: float = 60) -> None:
    """Stream a few segments into a session of their own, so the first scan (which builds the
    engine) is not mistaken for a stall by the test's client."""
    segments = segments_for(live_id, item_id, 3)
    progress = Progress(len(segments))
    thread = run_clients(
        port,
        token,
        {live_id: segments},
        progress,
        rate=100,
        timeout=timeout,
        stall_seconds=timeout,
    )
    thread.join(timeout + 5)
    if progress.count() != len(segments):
        raise AssertionError(f"warm-up not acknowledged: {progress.failures} {progress.troubles}")


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
