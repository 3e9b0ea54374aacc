"""Live ingest under load: N simultaneous sessions streaming segments through the WebSocket.

For each backend (SQLite file, PostgreSQL when reachable) the script builds a fresh database,
creates N live sessions, starts liveqc under uvicorn on 127.0.0.1 in a child process, opens one
ingest WebSocket per session and sends ``--rate`` segments per second on each for
``--duration`` seconds. The segments are host speech from ``speech_corpus.py`` (clean selling
talk with prices, sizes and counts, about one utterance in five breaking a rule; the run prints
the share that raised alerts), a different stream for each session. It also listens to the
alert stream (server-sent events) of ``--watch`` sessions and times the first alert of each of
their segments, found by its session and time in the stream. The sessions are split over
``--clients`` client processes so that one client event loop is not the bottleneck; every
timestamp is
``time.perf_counter`` (the system's monotonic clock, the same in every process), taken when a
segment is handed to the socket and when its ack or alert is read. It prints, per backend:

- segments/s sustained (acknowledged segments divided by the time from the first send to the
  last ack),
- p50/p99 segment sent → ack received (the ack is sent after the segment is stored, scanned and
  its alerts published),
- p50/p99 segment sent → alert received on the console stream (segment received → alert pushed,
  plus the client's own delays; client and server share the machine), and
- the CPU the server and the clients spent per segment, the share of a core the server got, and
  the load average before the run (the figures are only comparable on a quiet machine).

    python benchmarks/live_ingest.py                         # 200 sessions x 10 segments/s, 20 s
    python benchmarks/live_ingest.py --sessions 20 --duration 5
    python benchmarks/live_ingest.py --backend sqlite --clients 1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech_corpus import utterances

PG_URL = os.environ.get(
    "LIVEQC_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(database_url: str, sessions: int) -> tuple[str, list[int]]:
    """Migrate, create an agency user with a token, an approved product and N live sessions."""
    from liveqc.config import Environment, Settings
    from liveqc.db.migrate import upgrade
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from liveqc.demo.ingest_load import seed_sessions_on_air

    settings = Settings(_env_file=None, env=Environment.TEST, database_url=database_url)  # type: ignore[call-arg]
    engine = make_db_engine(settings)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        on_air = seed_sessions_on_air(session, sessions + 1, name="压测直播")
    engine.dispose()
    return on_air.token, list(on_air.sessions)


def serve(database_url: str, port: int) -> None:
    """Child process: liveqc under uvicorn, quiet."""
    import logging

    import uvicorn

    from liveqc.api.app import create_app
    from liveqc.config import Environment, Settings
    from liveqc.runtime import settle_for_serving

    settings = Settings(
        _env_file=None, env=Environment.TEST, database_url=database_url, log_level="WARNING"
    )  # type: ignore[call-arg]
    app = create_app(settings)
    logging.getLogger("liveqc.api").setLevel(logging.WARNING)
    settle_for_serving()  # as `liveqc serve` does
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        ws_max_queue=64,
        ws_per_message_deflate=False,  # as `liveqc serve` does
    )


@dataclass
class Stats:
    sent: dict[tuple[int, str], float] = field(default_factory=dict)
    #: (session, time in the stream) -> when the segment said then left the client
    watched: dict[tuple[int, int], float] = field(default_factory=dict)
    ack_latency: list[float] = field(default_factory=list)
    push_latency: list[float] = field(default_factory=list)
    acked: int = 0
    refused: int = 0
    slow_downs: int = 0
    alerts: int = 0
    flagged: int = 0
    first_send: float = 0.0
    last_ack: float = 0.0
    cpu_seconds: float = 0.0


async def stream(base: str, live_id: int, token: str, stats: Stats, stop: asyncio.Event) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base}/api/v1/live-sessions/{live_id}/alerts/stream?max_seconds=3600"
    async with (
        httpx.AsyncClient(timeout=None) as client,
        client.stream("GET", url, headers=headers) as response,
    ):
        async for line in response.aiter_lines():
            if stop.is_set():
                return
            if line.startswith("data: "):
                now = time.perf_counter()
                alert = json.loads(line[6:])  # the first alert of a segment counts
                sent = stats.watched.pop((alert["live_session_id"], alert["at_ms"]), None)
                if sent is not None:
                    stats.push_latency.append(now - sent)


async def session_client(
    ws_base: str,
    live_id: int,
    token: str,
    args: argparse.Namespace,
    stats: Stats,
    watched: bool,
    ready: Ready,
) -> None:
    import websockets

    url = f"{ws_base}/api/v1/live-sessions/{live_id}/ingest"
    rate, duration = args.rate, args.duration
    async with websockets.connect(
        url,
        additional_headers={"Authorization": f"Bearer {token}"},
        max_queue=256,
        compression=None if args.no_compression else "deflate",
    ) as ws:
        hello = json.loads(await ws.recv())
        seq = hello["last_seq"]
        total = int(rate * duration)
        done = asyncio.Event()

        async def receive() -> None:
            received = 0
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message["type"] == "slow_down":
                    stats.slow_downs += 1
                    continue
                if message["type"] != "ack":
                    stats.refused += 1
                else:
                    sent = stats.sent.pop((live_id, message["segment_id"]), None)
                    if sent is not None:
                        stats.ack_latency.append(now - sent)
                    if message["status"] == "stored":
                        stats.acked += 1
                        stats.alerts += len(message["alerts"])
                        stats.flagged += bool(message["alerts"])
                    else:
                        stats.refused += 1
                    stats.last_ack = max(stats.last_ack, now)
                received += 1
                if received >= total:
                    done.set()
                    return

        receiver = asyncio.create_task(receive())
        await ready.arrive()
        rng = random.Random(live_id)
        texts = utterances(total, seed=live_id)
        await asyncio.sleep(rng.random() / rate)
        start = time.perf_counter()
        stats.first_send = min(stats.first_send or start, start)
        for n in range(total):
            seq += 1
            segment_id = f"b{live_id}-{seq}"
            start_ms = int(n * 1000 / rate)
            message = json.dumps(
                {
                    "segment_id": segment_id,
                    "seq": seq,
                    "start_ms": start_ms,
                    "end_ms": start_ms + 900,
                    "speaker": "host",
                    "text": next(texts),
                },
                ensure_ascii=False,
            )
            now = time.perf_counter()  # the clock starts when the segment leaves the client
            stats.sent[(live_id, segment_id)] = now
            if watched:
                stats.watched[(live_id, start_ms)] = now
            await ws.send(message)
            wait = start + (n + 1) / rate - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=max(30.0, duration))
        receiver.cancel()


class Ready:
    """Every connection is open (hello received) before any session starts sending; with
    several client processes, ``go`` is set once all of them are connected."""

    def __init__(self, count: int, connected: Any, go: Any) -> None:
        self.left = count
        self.connected, self.go = connected, go
        self.local = asyncio.Event()

    async def arrive(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.connected.put(True)
            await asyncio.get_running_loop().run_in_executor(None, self.go.wait)
            self.local.set()
        await self.local.wait()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(
    port: int,
    token: str,
    ids: list[int],
    watched: set[int],
    args: argparse.Namespace,
    connected: Any,
    go: Any,
) -> Stats:
    stats = Stats()
    base = f"http://127.0.0.1:{port}"
    stop = asyncio.Event()
    streams = [asyncio.create_task(stream(base, i, token, stats, stop)) for i in watched]
    await asyncio.sleep(0.5)
    ready = Ready(len(ids), connected, go)
    cpu = time.process_time()
    await asyncio.gather(
        *(
            session_client(f"ws://127.0.0.1:{port}", i, token, args, stats, i in watched, ready)
            for i in ids
        )
    )
    await asyncio.sleep(0.5)
    stats.cpu_seconds = time.process_time() - cpu
    stop.set()
    for task in streams:
        task.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    return stats


def client(
    port: int,
    token: str,
    ids: list[int],
    watched: set[int],
    args: argparse.Namespace,
    connected: Any,
    go: Any,
    results: Any,
) -> None:
    """Client process: drive ``ids``; timestamps are ``perf_counter`` (CLOCK_MONOTONIC, the
    same clock in every process), so the parent can merge the figures."""
    stats = asyncio.run(drive(port, token, ids, watched, args, connected, go))
    stats.sent = dict.fromkeys(stats.sent, 0.0)  # only the count of the unacked is used
    stats.watched = {}
    results.put(asdict(stats))


def _cpu_and_parent(pid: int | str) -> tuple[float, int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[1])


def server_cpu_seconds(pid: int | None) -> float:
    """User + system CPU time so far of the server process and its children, the ingest
    writer processes (Linux; 0 elsewhere)."""
    if pid is None:
        return 0.0
    try:
        total = _cpu_and_parent(pid)[0]
    except (OSError, IndexError):
        return 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cpu, parent = _cpu_and_parent(entry.name)
            except (OSError, IndexError):
                continue
            total += cpu if parent == pid else 0.0
    return total


def run_clients(port: int, token: str, ids: list[int], args: argparse.Namespace) -> Stats:
    """Split the sessions over ``args.clients`` processes, start them together, merge."""
    ctx = multiprocessing.get_context("spawn")
    connected, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    watched = set(ids[: args.watch])
    slices = [ids[n :: args.clients] for n in range(args.clients)]
    procs = [
        ctx.Process(
            target=client,
            args=(port, token, part, watched & set(part), args, connected, go, results),
        )
        for part in slices
        if part
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        connected.get(timeout=120)
    go.set()
    parts = [Stats(**results.get(timeout=args.duration + 180)) for _ in procs]
    for proc in procs:
        proc.join(10)
    merged = Stats()
    for part in parts:
        merged.sent.update(part.sent)
        merged.ack_latency += part.ack_latency
        merged.push_latency += part.push_latency
        merged.acked += part.acked
        merged.refused += part.refused
        merged.slow_downs += part.slow_downs
        merged.alerts += part.alerts
        merged.flagged += part.flagged
        merged.cpu_seconds += part.cpu_seconds
        merged.last_ack = max(merged.last_ack, part.last_ack)
    merged.first_send = min((p.first_send for p in parts if p.first_send), default=0.0)
    return merged


def warm_up(port: int, token: str, live_id: int) -> None:
    """Build the engine and fill the caches before the clock starts (first scan is slow)."""
    import httpx

    segments = [
        {"segment_id": f"warm-{n}", "seq": n, "start_ms": n, "end_ms": n, "text": text}
        for n, text in enumerate(utterances(40, seed=0), 1)
    ]
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/live-sessions/{live_id}/segments",
        json={"segments": segments},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    response.raise_for_status()


def wait_until_up(port: int, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def run_backend(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    token, all_ids = prepare(url, args.sessions)
    warm, ids = all_ids[0], all_ids[1:]
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(url, port), daemon=False
    )
    server.start()
    try:
        wait_until_up(port)
        warm_up(port, token, warm)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        server_cpu = server_cpu_seconds(server.pid)
        started = time.perf_counter()
        stats = run_clients(port, token, ids, args)
        wall = time.perf_counter() - started
        server_cpu = server_cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        server.join(10)
    span = max(stats.last_ack - stats.first_send, 1e-9)
    expected = int(args.rate * args.duration) * args.sessions
    stored = max(stats.acked, 1)
    return {
        "backend": name,
        "sessions": args.sessions,
        "target_segments_per_s": args.sessions * args.rate,
        "sent": expected,
        "stored": stats.acked,
        "not_acked": len(stats.sent),
        "refused": stats.refused,
        "slow_downs": stats.slow_downs,
        "alerts": stats.alerts,
        "flagged_share": round(stats.flagged / stored, 3),
        "segments_per_s": round(stats.acked / span, 1),
        "ack_p50_ms": round(pct(stats.ack_latency, 0.50), 1),
        "ack_p99_ms": round(pct(stats.ack_latency, 0.99), 1),
        "push_samples": len(stats.push_latency),
        "push_p50_ms": round(pct(stats.push_latency, 0.50), 1),
        "push_p99_ms": round(pct(stats.push_latency, 0.99), 1),
        "clients": args.clients,
        "server_cpu_ms_per_segment": round(server_cpu * 1000 / stored, 3),
        "server_cpu_share": round(server_cpu / wall, 2),
        "client_cpu_ms_per_segment": round(stats.cpu_seconds * 1000 / stored, 3),
        "load_before": round(load, 2),
    }


def postgres_available() -> bool:
    from sqlalchemy import create_engine

    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="segments/s per session")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--watch", type=int, default=10, help="sessions whose alert stream is read")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--clients", type=int, default=2, help="client processes the sessions are split over"
    )
    parser.add_argument(
        "--no-compression", action="store_true", help="no permessage-deflate on the sockets"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per backend")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "both"):
            results.append(run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args))
        if args.backend in ("postgresql", "both"):
            if not postgres_available():
                print(f"postgresql: not reachable at {PG_URL}; skipped", file=sys.stderr)
            else:
                schema = f"liveqc_bench_{uuid.uuid4().hex[:8]}"
                admin = create_engine(PG_URL)
                with admin.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                sep = "&" if "?" in PG_URL else "?"
                url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
                try:
                    results.append(run_backend("postgresql", url, args))
                finally:
                    with admin.begin() as connection:
                        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                    admin.dispose()
    for r in results:
        if args.json:
            print(json.dumps(r))
            continue
        print(
            f"{r['backend']:>10}: {r['sessions']} sessions, target {r['target_segments_per_s']:g} "
            f"segments/s; stored {r['stored']}/{r['sent']} ({r['not_acked']} not acked, "
            f"{r['refused']} refused, {r['slow_downs']} slow-downs; "
            f"{r['flagged_share']:.0%} raised alerts); "
            f"{r['segments_per_s']:g} segments/s sustained; "
            f"ack p50 {r['ack_p50_ms']:g} ms p99 {r['ack_p99_ms']:g} ms; "
            f"alert pushed p50 {r['push_p50_ms']:g} ms p99 {r['push_p99_ms']:g} ms "
            f"({r['push_samples']} alerts watched); server CPU "
            f"{r['server_cpu_ms_per_segment']:g} ms/segment ({r['server_cpu_share']:g} of a "
            f"core), clients {r['client_cpu_ms_per_segment']:g} ms/segment over "
            f"{r['clients']} processes; load average before {r['load_before']:g}"
        )


if __name__ == "__main__":
    main()
