"""Writer processes on a committed database (both backends): WebSocket ingest is stored and
scanned by a child process with the same acks as a thread gives, alerts still reach the
console's stream, and a child that dies is replaced while the client resends safely."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liveqc.api.app import create_app
from liveqc.config import Settings
from liveqc.live_sessions.ingest.writer import IngestWriter
from tests.conftest import make_settings
from tests.live_sessions.test_broker import (  # the committed database of the broker tests
    BASE,
    SCRIPT,
    BrokerDB,
    StreamReader,
    broker_db,  # noqa: F401  (fixture)
    comparable,
    live_session,
    login,
    segment,
    socket_acks,
    stored_counts,
)


def process_settings(tmp: Path, db: BrokerDB, count: int) -> Settings:
    return make_settings(tmp, database_url=db.url, ingest_writer_processes=count)


@pytest.fixture
def web(tmp_path: Path, broker_db: BrokerDB) -> Iterator[TestClient]:  # noqa: F811
    """The app with one writer process, started by its lifespan."""
    app = create_app(process_settings(tmp_path, broker_db, 1))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def writer_of(client: TestClient) -> IngestWriter:
    writer = client.app.state.live_ingest_writer  # type: ignore[attr-defined]
    assert isinstance(writer, IngestWriter) and writer.processes is not None
    return writer


def child_pids() -> set[int]:
    """This process's children that are writer processes (spawned Python interpreters)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"spawn_main" in command:
            children.add(int(entry.name))
    return children


def test_socket_ingest_is_stored_by_a_writer_process_with_the_same_acks(
    tmp_path: Path,
    web: TestClient,
    broker_db: BrokerDB,  # noqa: F811
) -> None:
    headers = login(web)
    live_id = live_session(web, headers, broker_db)
    assert child_pids(), "the lifespan started no writer process"
    hello, acks = socket_acks(web, headers, live_id, SCRIPT)
    assert hello["last_seq"] == 0
    assert [(a["segment_id"], a["status"]) for a in acks] == [
        ("seg-1", "stored"),
        ("seg-2", "stored"),
        ("seg-3", "stored"),
    ]
    writer = writer_of(web)
    assert writer.transactions >= 1
    _, again = socket_acks(web, headers, live_id, SCRIPT[:2])
    assert [a["status"] for a in again] == ["duplicate", "duplicate"]

    # a thread of the web process gives the same acks and stores the same rows
    with TestClient(create_app(process_settings(tmp_path, broker_db, 0))) as local:
        other = live_session(local, headers, broker_db)
        _, expected = socket_acks(local, headers, other, SCRIPT)
    assert [comparable(a) for a in acks] == [comparable(a) for a in expected]
    assert stored_counts(broker_db, live_id) == stored_counts(broker_db, other)


@pytest.fixture
def ready(web: TestClient, broker_db: BrokerDB) -> tuple[dict[str, str], int]:  # noqa: F811
    """A reviewer's headers and a ready session of theirs."""
    headers = login(web)
    return headers, live_session(web, headers, broker_db)


def test_alerts_stored_by_a_writer_process_reach_the_stream(
    web: TestClient, ready: tuple[dict[str, str], int]
) -> None:
    headers, live_id = ready
    code = "off_platform_transaction"
    reader = StreamReader(web, f"{BASE}/{live_id}/alerts/stream?max_seconds=6", headers, code)
    reader.start()
    assert reader.ready.wait(10)
    _, acks = socket_acks(web, headers, live_id, [segment(1, "加微信私聊", kind="comment")])
    reader.join(20)
    assert not reader.is_alive(), "no alert arrived on the stream"
    assert [e["id"] for e in reader.events] == [a["id"] for a in acks[0]["alerts"]]
    assert reader.events[0]["sentence"] == "加微信私聊"


def test_a_writer_process_that_dies_is_replaced_and_the_client_resends(
    web: TestClient,
    ready: tuple[dict[str, str], int],
    broker_db: BrokerDB,  # noqa: F811
) -> None:
    headers, live_id = ready
    socket_acks(web, headers, live_id, [segment(1, "大家好")])
    (victim,) = child_pids()
    os.kill(victim, signal.SIGKILL)
    with web.websocket_connect(f"{BASE}/{live_id}/ingest", headers=headers) as ws:
        assert ws.receive_json()["last_seq"] == 1
        ws.send_json(segment(2, "这是全网最低价"))
        failed = ws.receive_json()
    assert (failed["status"], failed["expected_seq"]) == ("rejected", 2), failed
    assert "resend from seq 2" in failed["detail"]
    # the client reconnects and resends from the last acknowledged seq
    hello, acks = socket_acks(web, headers, live_id, [segment(2, "这是全网最低价")])
    assert hello["last_seq"] == 1
    assert acks[0]["status"] == "stored" and acks[0]["alerts"]
    assert victim not in child_pids()
    assert writer_of(web).processes.restarts == 1  # type: ignore[union-attr]
    assert stored_counts(broker_db, live_id)[0] == 2
