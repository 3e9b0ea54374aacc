"""Replaying a recorded transcript: into the in-process app, into a real server, locally."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from liveqc.errors import InputError, ValidationFailed
from liveqc.live_sessions import replay
from liveqc.live_sessions.replay import RECORDINGS
from tests.conftest import make_settings
from tests.live_sessions.test_views import BASE, approved, create, go_live


class TestChannel:
    """The TestClient WebSocket as a replay channel."""

    __test__ = False

    def __init__(self, ws) -> None:
        self.ws = ws

    def send(self, message: str) -> None:
        self.ws.send_text(message)

    def recv(self) -> str:
        return self.ws.receive_text()


def test_recordings_are_valid_and_have_comments_and_positions() -> None:
    for path in RECORDINGS.glob("*.jsonl"):
        records = replay.read_recording(path)
        assert len(records) >= 15
        assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
        assert any(r["kind"] == "comment" for r in records)
        assert {r.get("lineup_position") for r in records} >= {1, 2, 3}


def test_bad_recording_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"segment_id": "a", "seq": 1, "start_ms": 0, "end_ms": 1, "text": "x"}\n{}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2"):
        replay.read_recording(path)


def test_paced_waits_stream_time_divided_by_speed() -> None:
    waits: list[float] = []
    records = [{"start_ms": 0}, {"start_ms": 2000}, {"start_ms": 5000}]
    assert len(list(replay.paced(records, 10, waits.append))) == 3
    assert waits == [0.2, 0.3]


def test_replay_into_the_app_raises_alerts_and_resumes(
    client, login, session_factory, demo
) -> None:
    headers = login("compliance@xinghe.example")
    products = [
        approved(session_factory, demo, category=c) for c in ("cosmetics", "food", "appliance")
    ]
    live = create(client, headers, products[0])
    for product in products[1:]:
        client.post(f"{BASE}/{live['id']}/lineup", json={"product_id": product}, headers=headers)
    go_live(client, headers, live["id"])
    lineup = {
        i["position"]: i["id"]
        for i in client.get(f"{BASE}/{live['id']}", headers=headers).json()["lineup"]
    }
    records = replay.read_recording(RECORDINGS / "xinghe.jsonl")
    url = f"{BASE}/{live['id']}/ingest"
    with client.websocket_connect(url, headers=headers) as ws:
        summary = replay.replay_over(TestChannel(ws), records[:10], lineup, speed=0)
    assert summary.stored == 10 and summary.alerts > 0
    assert "off_platform_transaction" in summary.codes
    with client.websocket_connect(url, headers=headers) as ws:
        rest = replay.replay_over(TestChannel(ws), records, lineup, speed=0)
    assert rest.sent == len(records) - 10 and rest.stored == rest.sent
    prices = client.get(f"{BASE}/{live['id']}/prices", headers=headers).json()
    assert {(p["amount"], p["kind"]) for p in prices["items"]} >= {
        (299.0, "original"),
        (99.0, "current"),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_replay_url_into_a_running_server(tmp_path: Path) -> None:
    from liveqc.accounts import service as accounts
    from liveqc.api.app import create_app
    from liveqc.db import tenancy
    from liveqc.db.migrate import upgrade
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from liveqc.demo.loader import load
    from liveqc.live_sessions.models import LiveSession, LiveSessionStatus

    settings = make_settings(tmp_path, log_level="WARNING")
    engine = make_db_engine(settings)
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        ctx = load(session, settings)
        _, token = accounts.create_token(session, user=ctx.users["admin@qinghe.example"])
        tenancy.set_organisation(session, ctx.organisations["青禾优选"].id)
        ready = session.query(LiveSession).filter_by(status=LiveSessionStatus.READY).first()
        live_id = ready.id
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, session_factory=factory), port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        summary = replay.replay_url(
            RECORDINGS / "qinghe.jsonl",
            url=f"http://127.0.0.1:{port}",
            token=token,
            live_session_id=live_id,
            speed=0,
        )
        assert summary.stored == 17 and summary.alerts >= 5
        again = replay.replay_url(
            RECORDINGS / "qinghe.jsonl",
            url=f"http://127.0.0.1:{port}",
            token=token,
            live_session_id=live_id,
            speed=0,
        )
        assert again.sent == 0  # resumed after the last acknowledged segment
        with pytest.raises(ValidationFailed, match="HTTP 401"):
            replay.replay_url(
                RECORDINGS / "qinghe.jsonl",
                url=f"http://127.0.0.1:{port}",
                token="wrong",
                live_session_id=live_id,
            )
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()
    assert json.dumps(summary.codes)
