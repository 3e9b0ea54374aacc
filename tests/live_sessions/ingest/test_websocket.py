"""The ingest connection: bounded queue, slow-down notice, batching, close handling."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from liveqc.live_sessions.ingest.websocket import IngestConnection
from liveqc.live_sessions.schemas import SegmentIn


class Gone(Exception):
    pass


class FakeSocket:
    """Delivers ``messages`` as fast as they are read, then disconnects."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        self.sent: list[dict[str, Any]] = []
        self.reads = 0

    async def receive_text(self) -> str:
        await asyncio.sleep(0)
        if not self.messages:
            raise Gone
        self.reads += 1
        return self.messages.pop(0)

    async def send_json(self, data: Any) -> None:
        self.sent.append(data)


def segment(n: int) -> str:
    return json.dumps(
        {"segment_id": f"s-{n}", "seq": n, "start_ms": n, "end_ms": n, "text": f"第{n}句"}
    )


def run(socket: FakeSocket, process: Any, **kwargs: Any) -> IngestConnection:
    connection = IngestConnection(socket, process, disconnect_errors=(Gone,), **kwargs)
    asyncio.run(connection.run())
    return connection


def test_fast_client_gets_slow_down_and_queue_stays_bounded() -> None:
    release = asyncio.Event()
    seen: list[int] = []

    async def slow(batch: list[SegmentIn]) -> list[dict[str, Any]]:
        if not release.is_set():
            await asyncio.sleep(0.05)
            release.set()
        seen.extend(s.seq for s in batch)
        return [{"segment_id": s.segment_id, "seq": s.seq, "status": "stored"} for s in batch]

    socket = FakeSocket([segment(n) for n in range(1, 41)])
    connection = run(socket, slow, max_queue=4, max_batch=3)
    assert connection.high_water <= 4
    assert connection.slow_downs >= 1
    notices = [m for m in socket.sent if m["type"] == "slow_down"]
    assert notices and notices[0]["retry_after_ms"] > 0
    acks = [m["seq"] for m in socket.sent if m["type"] == "ack"]
    assert acks == list(range(1, 41)) == seen


def test_reader_stops_reading_while_the_queue_is_full() -> None:
    reads_while_blocked: list[int] = []

    async def blocked(batch: list[SegmentIn]) -> list[dict[str, Any]]:
        if not reads_while_blocked:
            await asyncio.sleep(0.05)  # the first batch is slow: the client keeps sending
            reads_while_blocked.append(socket.reads)
        return [{"segment_id": s.segment_id, "seq": s.seq, "status": "stored"} for s in batch]

    socket = FakeSocket([segment(n) for n in range(1, 101)])
    run(socket, blocked, max_queue=5, max_batch=5)
    # one batch in processing, five queued, one held by the blocked reader: nothing more read
    assert reads_while_blocked[0] <= 1 + 5 + 1
    assert len([m for m in socket.sent if m["type"] == "ack"]) == 100


def test_invalid_messages_get_an_error_naming_the_field() -> None:
    async def echo(batch: list[SegmentIn]) -> list[dict[str, Any]]:
        return [{"segment_id": s.segment_id, "seq": s.seq, "status": "stored"} for s in batch]

    bad = json.dumps({"segment_id": "x", "seq": 0, "start_ms": 0, "end_ms": 0, "text": "hi"})
    socket = FakeSocket(["not json", "[1]", bad, segment(1)])
    run(socket, echo)
    errors = [m for m in socket.sent if m["type"] == "error"]
    assert len(errors) == 3
    assert errors[2]["segment_id"] == "x" and errors[2]["errors"][0]["field"] == "seq"
    assert [m["seq"] for m in socket.sent if m["type"] == "ack"] == [1]


def test_segment_messages_may_carry_a_type_and_are_parsed_in_full() -> None:
    seen: list[SegmentIn] = []

    async def keep(batch: list[SegmentIn]) -> list[dict[str, Any]]:
        seen.extend(batch)
        return [{"segment_id": s.segment_id, "seq": s.seq, "status": "stored"} for s in batch]

    typed = {"type": "segment", **json.loads(segment(1)), "kind": "comment", "speaker": "观众"}
    backwards = {**json.loads(segment(2)), "start_ms": 5, "end_ms": 4}
    socket = FakeSocket([json.dumps(typed, ensure_ascii=False), json.dumps(backwards)])
    run(socket, keep)
    assert [(s.seq, s.kind.value, s.speaker) for s in seen] == [(1, "comment", "观众")]
    (error,) = [m for m in socket.sent if m["type"] == "error"]
    assert error["segment_id"] == "s-2" and "end_ms" in error["errors"][0]["message"]
