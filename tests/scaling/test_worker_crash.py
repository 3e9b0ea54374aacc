"""A worker killed with SIGKILL in the middle of the stream loses no segment and duplicates no
finding: broker mode (``liveqc serve`` publishing to JetStream, ``liveqc worker`` consuming),
real processes, real NATS, real PostgreSQL.

After the kill a new worker starts; the client resends whatever was not acknowledged. In the
end every segment is stored once, and the stored alerts are exactly what a direct scan of the
same texts with the same product facts finds.
"""

from __future__ import annotations

import time

import pytest

from liveqc.config import Settings
from liveqc.db.migrate import upgrade
from liveqc.db.session import make_db_engine
from tests.scaling.checks import batches_in_hand, expected_alerts, sent_segments, stored
from tests.scaling.conftest import Processes
from tests.scaling.harness import Progress, run_clients, seed, segments_for, wait_for, warm_up

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

SESSIONS = 4
PER_SESSION = 40
RATE = 25.0  # segments/s per session
PARTITIONS = 4


def test_worker_killed_mid_stream_loses_and_duplicates_nothing(
    pg_schema_url: str, nats_url: str, nats_prefix: str, processes: Processes
) -> None:
    env = processes.env(
        LIVEQC_DATABASE_URL=pg_schema_url,
        LIVEQC_INGEST_MODE="broker",
        LIVEQC_NATS_URL=nats_url,
        LIVEQC_NATS_PREFIX=nats_prefix,
        LIVEQC_INGEST_PARTITIONS=str(PARTITIONS),
    )
    engine = make_db_engine(Settings(_env_file=None, database_url=pg_schema_url))  # type: ignore[call-arg]
    try:
        upgrade(engine)
        seeded = seed(engine, SESSIONS)
        work = {
            live_id: segments_for(live_id, item_id, PER_SESSION)
            for live_id, item_id in seeded.sessions.items()
        }
        total = SESSIONS * PER_SESSION
        first = processes.worker(env, "--concurrency", "2", wait=False)
        _, port = processes.serve(env)
        first.wait_for_line("worker ready", 60)
        warm_up(port, seeded.token, *seeded.spare)

        progress = Progress(total)
        client = run_clients(port, seeded.token, work, progress, rate=RATE, timeout=120)
        wait_for(lambda: progress.count() >= total // 3, 30, "a third of the segments acked")
        # kill it while it holds a batch it has not acknowledged to JetStream
        wait_for(
            lambda: batches_in_hand(nats_url, nats_prefix, PARTITIONS) > 0, 10, "a batch in hand"
        )
        first.kill()  # SIGKILL: no chance to finish its batch or ack anything
        acked_at_kill = progress.count()
        assert acked_at_kill < total, "the worker died only after the whole stream"
        first.popen.wait(10)
        time.sleep(0.5)  # segments keep arriving with no worker bound
        processes.worker(env, "--concurrency", "2")

        client.join(125)
        assert not client.is_alive(), f"the client did not finish: {progress.troubles[-5:]}"
        assert not progress.failures, progress.failures
        assert not progress.lost, progress.lost  # a hello that forgot an acknowledged seq
        assert progress.count() == total > acked_at_kill

        segments, alerts = stored(engine, seeded)
        assert segments == sent_segments(work)  # every segment, exactly once
        expected = expected_alerts(engine, seeded, work)
        assert sum(expected.values()) > total // 4  # the stream does break rules
        assert alerts == expected  # no finding lost, none twice
    finally:
        engine.dispose()
