"""Broker mode end to end on the real NATS server and a committed database (both backends):
the web side publishes, a worker stores and scans, the acks come back unchanged in shape, a
resend duplicates nothing, and the worker's alerts reach the console's SSE stream."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import nats
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from liveqc.api.app import create_app
from liveqc.config import IngestMode, Settings
from liveqc.db import tenancy
from liveqc.db.migrate import upgrade
from liveqc.db.session import make_db_engine, make_session_factory
from liveqc.demo import loader
from liveqc.errors import NotFound
from liveqc.live_sessions.broker.channel import Names
from liveqc.live_sessions.broker.worker import Worker
from liveqc.live_sessions.broker.writer import BrokerWriter
from liveqc.live_sessions.models import Alert, Segment
from liveqc.live_sessions.schemas import SegmentAck, SegmentIn
from tests.conftest import drop_pg_schema, make_pg_schema_engine, make_settings
from tests.factories.live_sessions import make_product

BASE = "/api/v1/live-sessions"


def nats_test_url() -> str:
    """The NATS server of the tests; skipped when unreachable, except in CI (then a failure)."""
    url = os.environ.get("LIVEQC_TEST_NATS_URL", "nats://127.0.0.1:4222")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), 2).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail(f"NATS is not reachable at {url} (LIVEQC_TEST_NATS_URL)")
        pytest.skip(f"no NATS server at {url} (set LIVEQC_TEST_NATS_URL)")
    return url


@pytest.fixture(scope="module")
def nats_url() -> str:
    return nats_test_url()


class BrokerDB:
    """A migrated database with the demo accounts and catalogue, committed (workers in other
    threads or processes must see the rows)."""

    def __init__(self, url: str, engine: Engine, demo: Any) -> None:
        self.url, self.engine, self.demo = url, engine, demo
        self.factory: sessionmaker[Session] = make_session_factory(engine)


@pytest.fixture(scope="module")
def broker_db(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrokerDB]:
    folder = tmp_path_factory.mktemp("broker")
    schema = ""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'broker.db'}"
        engine = make_db_engine(make_settings(folder, database_url=url))
    else:
        base = request.getfixturevalue("pg_url")
        engine, schema = make_pg_schema_engine(base)
        url = f"{base}?options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade(engine)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(loader, "domain_loaders", lambda: [])
            with make_session_factory(engine)() as session, session.begin():
                demo = loader.load(session, make_settings(folder))
        yield BrokerDB(url, engine, demo)
    finally:
        engine.dispose()
        if schema:
            drop_pg_schema(request.getfixturevalue("pg_url"), schema)


def broker_settings(tmp: Path, db: BrokerDB, nats_url: str, **extra: Any) -> Settings:
    """Settings of one test: its own prefix, so its stream and subjects are its own."""
    return make_settings(
        tmp,
        database_url=db.url,
        ingest_mode=IngestMode.BROKER,
        nats_url=nats_url,
        nats_prefix=f"t{uuid.uuid4().hex[:12]}",
        ingest_partitions=4,
        **extra,
    )


async def _delete_stream(settings: Settings) -> None:
    client = await nats.connect(settings.nats_url)
    try:
        await client.jetstream().delete_stream(Names.from_settings(settings).stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await client.close()


class WorkerThread:
    """``Worker.run`` on its own event loop in a thread, stopped as SIGTERM would stop it."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.worker = Worker(settings, factory)
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            await self.worker.run(self._stop, ready=self.ready.set)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by stop()
            self.error = exc
            self.ready.set()

    def __enter__(self) -> WorkerThread:
        self._thread.start()
        assert self.ready.wait(20), "the worker did not bind its consumers"
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)
        assert not self._thread.is_alive(), "the worker did not stop"
        assert self.error is None, self.error


@pytest.fixture
def broker(tmp_path: Path, broker_db: BrokerDB, nats_url: str) -> Iterator[Settings]:
    """Broker settings and a running worker; the test's stream is deleted afterwards."""
    settings = broker_settings(tmp_path, broker_db, nats_url)
    try:
        with WorkerThread(settings, make_session_factory(broker_db.engine)):
            yield settings
    finally:
        asyncio.run(_delete_stream(settings))


@pytest.fixture
def web(broker: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(broker), raise_server_exceptions=False) as client:
        yield client


def login(client: TestClient, email: str = "compliance@xinghe.example") -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": "demo-password"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def live_session(client: TestClient, headers: dict[str, str], db: BrokerDB) -> int:
    """A ready session of 星河直播 with one approved cosmetics product."""
    with db.factory() as session, session.begin():
        product_id = make_product(session, db.demo).id
    body = {
        "platform": "抖音",
        "room": "测试间",
        "title": "消息队列测试场",
        "scheduled_at": "2026-12-01T20:00:00+08:00",
        "hosts": [{"name": "主播甲", "birth_date": "1995-01-01"}],
        "lineup": [{"product_id": product_id, "script": ""}],
    }
    created = client.post(BASE, json=body, headers=headers)
    assert created.status_code == 201, created.text
    live_id: int = created.json()["id"]
    assert client.post(f"{BASE}/{live_id}/ready", headers=headers).status_code == 200
    return live_id


def segment(n: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"segment_id": f"seg-{n}", "seq": n, "start_ms": n * 1000, "end_ms": n * 1000 + 800,
            "text": text, **extra}  # fmt: skip


def stored_counts(db: BrokerDB, live_id: int) -> tuple[int, int]:
    """(segments, alerts) stored for the session."""
    with db.factory() as session:
        tenancy.set_organisation(session, None)
        with tenancy.bypass_tenancy(session, reason="test", actor_user_id=None):
            segments = session.scalar(
                select(func.count()).where(Segment.live_session_id == live_id)
            )
            alerts = session.scalar(select(func.count()).where(Alert.live_session_id == live_id))
    return int(segments or 0), int(alerts or 0)


def socket_acks(
    client: TestClient, headers: dict[str, str], live_id: int, messages: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Send ``messages`` over the ingest WebSocket; returns (hello, one reply per message)."""
    with client.websocket_connect(f"{BASE}/{live_id}/ingest", headers=headers) as ws:
        hello = ws.receive_json()
        for message in messages:
            ws.send_text(json.dumps(message, ensure_ascii=False))
        return hello, [ws.receive_json() for _ in messages]


def comparable(ack: dict[str, Any]) -> dict[str, Any]:
    """An ack without what differs between two sessions (ids and times of alerts)."""
    volatile = {"id", "live_session_id", "segment_pk", "lineup_item_id", "created_at"}
    alerts = [{k: v for k, v in a.items() if k not in volatile} for a in ack["alerts"]]
    return {**ack, "alerts": alerts}


SCRIPT = [
    segment(1, "大家好"),
    segment(2, "这是全网最低价"),
    segment(3, "加微信私聊", kind="comment"),
]


def test_websocket_batches_are_stored_by_a_worker_with_in_process_acks(
    web: TestClient, broker_db: BrokerDB, broker: Settings
) -> None:
    headers = login(web)
    live_id = live_session(web, headers, broker_db)
    hello, acks = socket_acks(web, headers, live_id, SCRIPT)
    assert hello["type"] == "hello" and hello["last_seq"] == 0
    assert [(a["type"], a["segment_id"], a["status"]) for a in acks] == [
        ("ack", "seg-1", "stored"),
        ("ack", "seg-2", "stored"),
        ("ack", "seg-3", "stored"),
    ]
    assert not acks[0]["alerts"] and acks[1]["alerts"] and acks[2]["alerts"]
    assert acks[-1]["last_seq"] == 3 and acks[-1]["expected_seq"] == 4
    for ack in acks:
        assert set(ack) - {"type"} == set(SegmentAck.model_fields)

    # the same segments through the in-process path give the same acks
    inprocess = broker.model_copy(update={"ingest_mode": IngestMode.INPROCESS})
    with TestClient(create_app(inprocess), raise_server_exceptions=False) as local:
        other = live_session(local, headers, broker_db)
        _, expected = socket_acks(local, headers, other, SCRIPT)
    assert [comparable(a) for a in acks] == [comparable(a) for a in expected]
    assert stored_counts(broker_db, live_id) == stored_counts(broker_db, other)


def test_a_resent_batch_duplicates_nothing(web: TestClient, broker_db: BrokerDB) -> None:
    headers = login(web)
    live_id = live_session(web, headers, broker_db)
    socket_acks(web, headers, live_id, SCRIPT)
    before = stored_counts(broker_db, live_id)
    assert before[0] == 3 and before[1] >= 2
    hello, again = socket_acks(web, headers, live_id, [*SCRIPT, segment(5, "跳号")])
    assert hello["last_seq"] == 3 and hello["last_segment_id"] == "seg-3"
    assert [a["status"] for a in again] == ["duplicate", "duplicate", "duplicate", "gap"]
    assert again[-1]["expected_seq"] == 4 and all(not a["alerts"] for a in again)
    assert stored_counts(broker_db, live_id) == before


def test_http_batch_ingest_goes_through_the_worker(web: TestClient, broker_db: BrokerDB) -> None:
    headers = login(web)
    live_id = live_session(web, headers, broker_db)
    batch = {"segments": SCRIPT[:2]}
    first = web.post(f"{BASE}/{live_id}/segments", json=batch, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [a["status"] for a in body["acks"]] == ["stored", "stored"]
    assert body["last_seq"] == 2 and body["last_segment_id"] == "seg-2"
    assert body["acks"][1]["alerts"][0]["basis"]
    again = web.post(f"{BASE}/{live_id}/segments", json=batch, headers=headers).json()
    assert [a["status"] for a in again["acks"]] == ["duplicate", "duplicate"]
    alerts = web.get(f"{BASE}/{live_id}/alerts", headers=headers).json()
    assert alerts["total"] == len(body["acks"][1]["alerts"]) == stored_counts(broker_db, live_id)[1]
    state = web.get(f"{BASE}/{live_id}/ingest-state", headers=headers).json()
    assert (state["status"], state["last_seq"], state["expected_seq"]) == ("live", 2, 3)


class StreamReader(threading.Thread):
    """Reads an SSE stream until an alert with ``code`` arrives."""

    def __init__(self, client: TestClient, url: str, headers: dict[str, str], code: str) -> None:
        super().__init__(daemon=True)
        self.client, self.url, self.headers, self.code = client, url, headers, code
        self.ready = threading.Event()
        self.events: list[dict[str, Any]] = []

    def run(self) -> None:
        with self.client.stream("GET", self.url, headers=self.headers) as response:
            for line in response.iter_lines():
                if line.startswith("retry:"):
                    self.ready.set()
                if line.startswith("data: "):
                    self.events.append(json.loads(line[6:]))
                    if self.events[-1]["code"] == self.code:
                        return


def test_alerts_stored_by_a_worker_reach_the_console_and_api_streams(
    web: TestClient, broker_db: BrokerDB
) -> None:
    headers = login(web)
    live_id = live_session(web, headers, broker_db)
    csrf = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text)
    assert csrf is not None
    form = {"email": "compliance@xinghe.example", "password": "demo-password"}
    signed_in = web.post("/login", data={**form, "csrf": csrf.group(1)}, follow_redirects=False)
    assert signed_in.status_code == 303
    code = "off_platform_transaction"
    readers = [
        StreamReader(web, f"{BASE}/{live_id}/alerts/stream?max_seconds=6", headers, code),
        StreamReader(web, "/live-sessions/monitor/stream?max_seconds=6", {}, code),
    ]
    for reader in readers:
        reader.start()
        assert reader.ready.wait(10)
    _, acks = socket_acks(web, headers, live_id, [segment(1, "加微信私聊", kind="comment")])
    for reader in readers:
        reader.join(20)
        assert not reader.is_alive(), f"no alert arrived on {reader.url}"
        assert [e["id"] for e in reader.events] == [a["id"] for a in acks[0]["alerts"]]
        assert reader.events[0]["sentence"] == "加微信私聊"
        assert reader.events[0]["live_session_id"] == live_id
    writer = web.app.state.live_ingest_writer  # type: ignore[attr-defined]
    assert writer.alerts_forwarded >= 1


def test_unanswered_batches_get_a_resend_ack(
    tmp_path: Path, broker_db: BrokerDB, nats_url: str
) -> None:
    settings = broker_settings(tmp_path, broker_db, nats_url)  # no worker runs
    segments = [SegmentIn.model_validate(segment(n, "你好")) for n in (4, 5)]

    async def submit() -> list[dict[str, Any]]:
        writer = BrokerWriter(settings, reply_timeout=0.5)
        try:
            return await writer.submit(
                organisation_id=1, user_id=None, live_session_id=7, segments=segments
            )
        finally:
            await writer.close()

    try:
        acks = asyncio.run(submit())
    finally:
        asyncio.run(_delete_stream(settings))
    assert [(a["status"], a["expected_seq"]) for a in acks] == [("rejected", 4), ("rejected", 4)]
    assert "resend from seq 4" in acks[0]["detail"]
    assert all(SegmentAck.model_validate(a) for a in acks)


def test_without_nats_the_web_side_answers_resend_acks(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ingest_mode=IngestMode.BROKER, nats_url="nats://127.0.0.1:9")
    segments = [SegmentIn.model_validate(segment(1, "你好"))]

    async def submit() -> list[dict[str, Any]]:
        writer = BrokerWriter(settings)
        return await writer.submit(
            organisation_id=1, user_id=None, live_session_id=7, segments=segments
        )

    acks = asyncio.run(submit())
    assert [(a["status"], a["expected_seq"]) for a in acks] == [("rejected", 1)]
    assert "the broker is unreachable" in acks[0]["detail"]


def test_a_batch_for_an_unknown_session_is_refused_with_the_same_error(
    broker: Settings, broker_db: BrokerDB
) -> None:
    org = broker_db.demo.organisations["星河直播"].id
    segments = [SegmentIn.model_validate(segment(1, "你好"))]

    async def submit() -> None:
        writer = BrokerWriter(broker)
        try:
            await writer.submit(
                organisation_id=org, user_id=None, live_session_id=2_000_000, segments=segments
            )
        finally:
            await writer.close()

    with pytest.raises(NotFound, match="live session 2000000 does not exist"):
        asyncio.run(submit())
