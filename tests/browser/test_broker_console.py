"""Broker mode end to end in a real browser: ``liveqc serve`` publishes the replayed show to
NATS JetStream, one ``liveqc worker`` process stores and scans it, and the alerts the worker
raises reach the compliance reviewer's live monitor in Chromium.

The server and the worker run on their own SQLite database (migrated, demo loaded) and their
own NATS prefix, so neither the other browser tests' server nor other runs see their traffic.
Without NATS the test is skipped, except in CI (then it fails): see docs/testing.md.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.live_sessions.replay import RECORDINGS, replay_url
from tests.browser.conftest import _FAILED, _pages
from tests.browser.server import (
    LiveServer,
    ServerStartError,
    free_port,
    load_demo,
    migrate,
    server_env,
)
from tests.browser.test_live_sessions import REVIEWER, ready_session
from tests.live_sessions.test_broker import nats_test_url
from tests.scaling.conftest import Proc, Processes, _delete_streams

pytestmark = pytest.mark.browser

#: Few partitions: the worker binds one consumer per partition at start-up.
PARTITIONS = 4
WORKER_READY_SECONDS = 60.0
STOPPED = re.compile(r"worker stopped after (\d+) batches")


@dataclass
class BrokerDeployment:
    """The broker-mode server (a ``LiveServer``, so the page fixture can save its log) and
    its worker."""

    server: LiveServer
    worker: Proc
    processes: Processes


def _spawn_server(workdir: Path, env: dict[str, str], database_url: str) -> LiveServer:
    """``liveqc serve`` like ``server.spawn``, with the broker settings in its environment."""
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "liveqc", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", workdir, database_url, process, log_path)


@pytest.fixture(scope="module")
def broker(
    chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrokerDeployment]:
    """Server and worker in broker mode on a fresh database and a fresh NATS prefix; both are
    terminated and the prefix's JetStream stream deleted afterwards, whatever happened."""
    nats_url = nats_test_url()
    workdir = tmp_path_factory.mktemp("broker-browser")
    database_url = f"sqlite:///{workdir / 'liveqc.db'}"
    prefix = f"t{uuid.uuid4().hex[:12]}"
    env = server_env(workdir, database_url)
    env.update(
        LIVEQC_INGEST_MODE="broker",
        LIVEQC_NATS_URL=nats_url,
        LIVEQC_NATS_PREFIX=prefix,
        LIVEQC_INGEST_PARTITIONS=str(PARTITIONS),
    )
    processes = Processes(workdir)
    server: LiveServer | None = None
    try:
        migrate(workdir, database_url)
        server = _spawn_server(workdir, env, database_url)
        worker = processes.worker(env, wait=False)
        load_demo(workdir, database_url)  # while both boot
        try:
            server.wait_ready()
        except ServerStartError as exc:
            pytest.fail(f"could not start the broker-mode server:\n{exc}", pytrace=False)
        worker.wait_for_line("worker ready", WORKER_READY_SECONDS)
        yield BrokerDeployment(server, worker, processes)
    finally:
        processes.stop_all()
        if server is not None:
            server.stop()
        _delete_stream(nats_url, prefix)


def _delete_stream(nats_url: str, prefix: str) -> None:
    """Delete the prefix's stream from a thread of its own: Playwright's event loop is running
    in this one, so ``asyncio.run`` cannot be called here."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _delete_streams(nats_url, prefix)).result(timeout=30)


@pytest.fixture
def broker_page(
    request: pytest.FixtureRequest, browser: Any, broker: BrokerDeployment, artifacts_dir: Path
) -> Iterator[Any]:
    """Like ``page``, on the broker-mode server; a failure leaves its screen and the server's
    and the worker's output under test-artifacts/failures/."""
    yield from _pages(request, browser, broker.server, artifacts_dir)
    if request.node.stash.get(_FAILED, False):
        log = artifacts_dir / "failures" / f"{request.node.name}.worker.log"
        log.write_text(broker.worker.output(), encoding="utf-8")


def _stopped_batches(worker: Proc, timeout: float = 10) -> int:
    """Stop the worker (SIGTERM) and read the batch count it prints on the way out."""
    worker.stop()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # the reader thread may still be draining the pipe
        found = STOPPED.search("".join(worker.lines))
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(f"the worker did not report its batches:\n{worker.output()}")


def _alerts_total(page: Any, live_session_id: int, headers: dict[str, str]) -> int:
    """How many alerts the session has in the database (its script review's included)."""
    response = page.request.get(
        f"/api/v1/live-sessions/{live_session_id}/alerts?limit=1", headers=headers
    )
    assert response.ok, response.text()
    return int(response.json()["total"])


def test_worker_alerts_reach_the_live_monitor(
    broker_page: Any,
    broker: BrokerDeployment,
    login: Callable[..., None],
    api_headers: Callable[[Any, str], dict[str, str]],
    screenshot: Callable[[Any, str], Path],
) -> None:
    page = broker_page
    headers = api_headers(page, REVIEWER)
    token = headers["Authorization"].removeprefix("Bearer ")
    live = ready_session(page, headers)
    before = _alerts_total(page, live["id"], headers)
    login(page, REVIEWER)

    # The monitor has no backlog: every row it shows was pushed while the page was open.
    with page.expect_response(lambda r: r.url.endswith("/live-sessions/monitor/stream")) as opened:
        page.goto("/live-sessions/monitor")
    assert opened.value.status == 200
    feed = page.locator("#lsq-feed tbody tr")
    expect(feed).to_have_count(0)

    summary = replay_url(
        RECORDINGS / "xinghe.jsonl",
        url=broker.server.base_url,
        token=token,
        live_session_id=live["id"],
        speed=0,
    )
    assert summary.refused == 0, summary
    assert summary.stored == summary.sent > 0, summary
    assert summary.alerts > 0, summary

    expect(feed).to_have_count(summary.alerts)
    codes = " ".join(feed.locator("td:nth-child(5) strong").all_inner_texts())
    for code in summary.codes:
        assert code in codes, (code, codes)
    expect(feed.first.locator("a")).to_have_text(f"#{live['id']}")
    screenshot(page, "broker-monitor")

    # Stored by the worker: the server only publishes in broker mode, and the worker counts
    # one batch per replayed segment (the replay waits for each ack before the next one).
    assert _alerts_total(page, live["id"], headers) - before == summary.alerts
    assert _stopped_batches(broker.worker) == summary.sent
