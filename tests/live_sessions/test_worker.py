"""``liveqc worker`` as a process: it refuses to start without NATS, and it serves the
WebSocket of a broker-mode web process until SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from liveqc.api.app import create_app
from liveqc.config import Settings
from tests.conftest import TEST_SECRET
from tests.live_sessions.test_broker import (
    SCRIPT,
    BrokerDB,
    _delete_stream,
    broker_db,  # noqa: F401  (fixture)
    broker_settings,
    live_session,
    login,
    nats_url,  # noqa: F401  (fixture)
    socket_acks,
    stored_counts,
)

LIVEQC = [sys.executable, "-m", "liveqc"]


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQC_")}
    env.update(
        LIVEQC_ENV="test",
        LIVEQC_SECRET_KEY=TEST_SECRET,
        LIVEQC_DATABASE_URL=settings.database_url,
        LIVEQC_NATS_URL=settings.nats_url,
        LIVEQC_NATS_PREFIX=settings.nats_prefix,
        LIVEQC_INGEST_PARTITIONS=str(settings.ingest_partitions),
        LIVEQC_INGEST_MODE="broker",
    )
    return env


def test_worker_without_nats_exits_2_naming_the_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQC_")}
    env.update(
        LIVEQC_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
        LIVEQC_NATS_URL="nats://127.0.0.1:9",
    )
    subprocess.run([*LIVEQC, "db", "upgrade"], env=env, check=True, capture_output=True)
    done = subprocess.run([*LIVEQC, "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "nats://127.0.0.1:9" in errors[0]
    assert "LIVEQC_NATS_URL" in errors[0]
    assert "worker ready" not in done.stdout


def test_worker_process_serves_the_websocket_until_sigterm(
    tmp_path: Path,
    broker_db: BrokerDB,  # noqa: F811
    nats_url: str,  # noqa: F811
) -> None:
    settings = broker_settings(tmp_path, broker_db, nats_url)
    process = subprocess.Popen(
        [*LIVEQC, "worker", "--concurrency", "2"],
        env=worker_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready: list[str] = []
        reader = threading.Thread(
            target=lambda: ready.append(process.stdout.readline() if process.stdout else "")
        )
        reader.start()
        reader.join(30)
        assert ready == ["worker ready\n"], process.stderr.read() if process.stderr else ""
        with TestClient(create_app(settings), raise_server_exceptions=False) as web:
            headers = login(web)
            live_id = live_session(web, headers, broker_db)
            _, acks = socket_acks(web, headers, live_id, SCRIPT)
        assert [a["status"] for a in acks] == ["stored"] * 3
        assert stored_counts(broker_db, live_id)[0] == 3
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert "worker stopped after" in out
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        asyncio.run(_delete_stream(settings))
