"""PostgreSQL restarted during ingest: nothing acknowledged is lost, and once the database is
back the client's resends store every segment exactly once.

The test runs its own PostgreSQL server (the shared one is never restarted) and stops it with
``pg_ctl stop -m fast`` while segments are flowing, in both ingest modes: in-process, and broker
mode with a ``liveqc worker`` doing the writes.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine

from tests.scaling.checks import expected_alerts, sent_segments, stored
from tests.scaling.conftest import PrivatePostgres, Processes
from tests.scaling.harness import Progress, run_clients, seed, segments_for, wait_for, warm_up

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

SESSIONS = 3
PER_SESSION = 40
RATE = 25.0  # segments/s per session: the stream lasts about two seconds


@pytest.mark.parametrize("mode", ["inprocess", "broker"])
def test_database_restart_loses_nothing_acknowledged(
    mode: str,
    request: pytest.FixtureRequest,
    private_postgres: PrivatePostgres,
    processes: Processes,
) -> None:
    env = processes.env(
        LIVEQC_DATABASE_URL=private_postgres.url,
        LIVEQC_INGEST_MODE=mode,
        LIVEQC_INGEST_PARTITIONS="4",
    )
    if mode == "broker":
        env.update(
            LIVEQC_NATS_URL=request.getfixturevalue("nats_url"),
            LIVEQC_NATS_PREFIX=request.getfixturevalue("nats_prefix"),
        )
    processes.run("db", "upgrade", env=env)
    engine = create_engine(private_postgres.url, pool_pre_ping=True)
    try:
        seeded = seed(engine, SESSIONS)
        work = {
            live_id: segments_for(live_id, item_id, PER_SESSION)
            for live_id, item_id in seeded.sessions.items()
        }
        total = SESSIONS * PER_SESSION
        worker = processes.worker(env, wait=False) if mode == "broker" else None
        _, port = processes.serve(env)
        if worker is not None:
            worker.wait_for_line("worker ready", 60)
        warm_up(port, seeded.token, *seeded.spare)

        progress = Progress(total)
        client = run_clients(port, seeded.token, work, progress, rate=RATE, timeout=120)
        wait_for(lambda: progress.count() >= total // 3, 30, "a third of the segments acked")
        acked_before_stop = progress.snapshot()
        engine.dispose()
        private_postgres.stop("fast")
        assert progress.count() < total, "the database went down only after the whole stream"
        time.sleep(1.5)  # the client keeps sending into a server without a database
        private_postgres.start()

        segments, _ = stored(engine, seeded)
        missing = acked_before_stop - {(live_id, seg_id) for live_id, seg_id, _ in segments}
        assert not missing, f"acknowledged before the restart, lost: {sorted(missing)[:10]}"

        client.join(125)
        assert not client.is_alive(), f"the client did not finish: {progress.troubles[-5:]}"
        assert not progress.failures, progress.failures
        assert not progress.lost, progress.lost  # a hello that forgot an acknowledged seq
        assert progress.count() == total

        segments, alerts = stored(engine, seeded)
        assert segments == sent_segments(work)  # every segment, exactly once
        expected = expected_alerts(engine, seeded, work)
        assert sum(expected.values()) > total // 4  # the stream does break rules
        assert alerts == expected
    finally:
        engine.dispose()
