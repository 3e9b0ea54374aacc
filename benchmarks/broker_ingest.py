"""Broker-mode ingest under load: `liveqc serve` publishing to NATS JetStream, 1 and 2
`liveqc worker` processes scanning and storing, PostgreSQL, in one run.

For each worker count the script builds a fresh PostgreSQL schema (the test server,
LIVEQC_TEST_DATABASE_URL or 127.0.0.1:5432/test) and a fresh JetStream prefix, starts `liveqc
serve` in broker mode and the workers as child processes on 127.0.0.1, opens one ingest
WebSocket per session sending ``--rate`` segments/s for ``--duration`` s (one in four breaks a
rule), and listens to the alert stream (SSE) of ``--watch`` sessions. It prints segments/s
sustained and p50/p99 from segment sent to ack and to alert received, then the same load
in-process (one `liveqc serve`, no broker) for reference. Streams and schemas are removed at
the end. The client, the load and the figures are those of benchmarks/live_ingest.py.

    python benchmarks/broker_ingest.py                               # 40 sessions x 10/s, 20 s
    python benchmarks/broker_ingest.py --sessions 20 --duration 5    # a quick run
    python benchmarks/broker_ingest.py --workers 1,2,4 --no-inprocess
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_ingest import (
    PG_URL,
    Stats,
    free_port,
    pct,
    postgres_available,
    prepare,
    run_backend,
    run_clients,
    wait_until_up,
    warm_up,
)

NATS_URL = os.environ.get("LIVEQC_TEST_NATS_URL") or os.environ.get(
    "LIVEQC_NATS_URL", "nats://127.0.0.1:4222"
)
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    """A database URL whose connections live in a new schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"liveqc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


async def _delete_streams(prefix: str) -> None:
    import nats

    client = await nats.connect(NATS_URL, connect_timeout=5, max_reconnect_attempts=1)
    try:
        js = client.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(f"{prefix.upper()}_"):
                await js.delete_stream(info.config.name)
    finally:
        await client.close()


class Children:
    """`python -m liveqc …` children, each in its own process group, all stopped at the end."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.procs: list[subprocess.Popen[str]] = []
        self.kinds: list[str] = []  # the command of each child: serve, worker
        self.lines: list[str] = []
        self.readers: list[threading.Thread] = []

    def start(self, *args: str, ready: str | None = None, timeout: float = 60) -> None:
        log = (self.workdir / f"{args[0]}-{len(self.procs)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "liveqc", *args],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        self.procs.append(proc)
        self.kinds.append(args[0])
        seen = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.lines.append(line)
                if ready and ready in line:
                    seen.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        self.readers.append(reader)
        if ready and not seen.wait(timeout):
            raise SystemExit(f"liveqc {' '.join(args)} did not print {ready!r}; see {log.name}")

    def cpu_seconds(self, name: str) -> float:
        """User + system CPU time so far of the children started as ``name`` (Linux /proc)."""
        total = 0.0
        for proc, kind in zip(self.procs, self.kinds, strict=True):
            if kind != name:
                continue
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for reader in self.readers:
            reader.join(5)

    def worker_batches(self) -> int:
        """Batches the workers stored, from their ``worker stopped after N batches`` line."""
        found = (re.search(r"after (\d+) batches", line) for line in self.lines)
        return sum(int(m.group(1)) for m in found if m)


def summarise(name: str, stats: Stats, args: argparse.Namespace) -> dict[str, Any]:
    span = max(stats.last_ack - stats.first_send, 1e-9)
    return {
        "mode": name,
        "sessions": args.sessions,
        "rate": args.rate,
        "offered_per_s": args.sessions * args.rate,
        "sent": int(args.rate * args.duration) * args.sessions,
        "stored": stats.acked,
        "not_acked": len(stats.sent),
        "refused": stats.refused,
        "alerts": stats.alerts,
        "segments_per_s": round(stats.acked / span, 1),
        "ack_p50_ms": round(pct(stats.ack_latency, 0.50), 1),
        "ack_p99_ms": round(pct(stats.ack_latency, 0.99), 1),
        "alert_samples": len(stats.push_latency),
        "alert_p50_ms": round(pct(stats.push_latency, 0.50), 1),
        "alert_p99_ms": round(pct(stats.push_latency, 0.99), 1),
    }


def run_broker(workers: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    spare = 4
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    with pg_schema() as url:
        token, ids = prepare(url, args.sessions + spare - 1)
        warm, ids = ids[:spare], ids[spare:]
        port = free_port()
        workdir = tmp / f"broker-{workers}"
        workdir.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQC_")}
        env.update(
            LIVEQC_ENV="test",
            LIVEQC_SECRET_KEY=SECRET,
            LIVEQC_DATABASE_URL=url,
            LIVEQC_LOG_LEVEL="WARNING",
            LIVEQC_UPLOAD_DIR=str(workdir / "uploads"),
            LIVEQC_INGEST_MODE="broker",
            LIVEQC_NATS_URL=NATS_URL,
            LIVEQC_NATS_PREFIX=prefix,
            LIVEQC_INGEST_PARTITIONS=str(args.partitions),
            PYTHONUNBUFFERED="1",
        )
        children = Children(workdir, env)
        try:
            children.start("serve", "--host", "127.0.0.1", "--port", str(port))
            for _ in range(workers):
                children.start("worker", *args.worker_args, ready="worker ready")
            wait_until_up(port, timeout=60)
            for live_id in warm:  # spare sessions, spread over partitions: every worker warms up
                warm_up(port, token, live_id)
            load = os.getloadavg()[0]
            cpu = {name: children.cpu_seconds(name) for name in ("serve", "worker")}
            stats = run_clients(port, token, ids, args)
            cpu = {name: children.cpu_seconds(name) - used for name, used in cpu.items()}
        finally:
            children.stop()
            asyncio.run(_delete_streams(prefix))
    row = summarise(f"broker, {workers} worker{'s' if workers > 1 else ''}", stats, args)
    for name, used in cpu.items():
        row[f"{name}_cpu_ms_per_segment"] = round(1000 * used / max(stats.acked, 1), 3)
    batches = children.worker_batches() - spare  # less the warm-up batches
    if batches > 0:
        row["batches"] = batches
        row["segments_per_batch"] = round(stats.acked / batches, 2)
        row["worker_cpu_ms_per_batch"] = round(1000 * cpu["worker"] / batches, 3)
    row["load_before"] = round(load, 2)
    return row


def run_inprocess(args: argparse.Namespace) -> dict[str, Any]:
    with pg_schema() as url:
        result = run_backend("postgresql", url, args)
    return {
        "mode": "in-process (reference)",
        "sessions": args.sessions,
        "rate": args.rate,
        "offered_per_s": args.sessions * args.rate,
        "sent": result["sent"],
        "stored": result["stored"],
        "not_acked": result["not_acked"],
        "refused": result["refused"],
        "segments_per_s": result["segments_per_s"],
        "ack_p50_ms": result["ack_p50_ms"],
        "ack_p99_ms": result["ack_p99_ms"],
        "alert_samples": result["push_samples"],
        "alert_p50_ms": result["push_p50_ms"],
        "alert_p99_ms": result["push_p99_ms"],
    }


async def nats_ceiling(count: int, size: int = 300, window: int = 256) -> dict[str, float]:
    """JetStream alone, no liveqc: publish ``count`` messages of ``size`` bytes (about one
    segment's JSON) to a file-backed work-queue stream with ``window`` publishes awaiting their
    acks, then fetch and ack them all with one pull consumer; messages/s of each phase."""
    import nats
    from nats.js import api

    prefix = f"bench{uuid.uuid4().hex[:8]}"
    stream = f"{prefix.upper()}_CEILING"
    client = await nats.connect(NATS_URL, connect_timeout=5)
    js = client.jetstream()
    try:
        await js.add_stream(
            name=stream,
            subjects=[f"{prefix}.ceiling.*"],
            retention=api.RetentionPolicy.WORK_QUEUE,
            storage=api.StorageType.FILE,
        )
        payload = b"x" * size
        started = time.perf_counter()
        pending: list[Any] = []
        for n in range(count):
            pending.append(js.publish(f"{prefix}.ceiling.{n % 16}", payload))
            if len(pending) >= window:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        published = time.perf_counter() - started
        sub = await js.pull_subscribe(f"{prefix}.ceiling.*", durable="ceiling", stream=stream)
        started = time.perf_counter()
        done = 0
        while done < count:
            for msg in await sub.fetch(min(window, count - done), timeout=10):
                await msg.ack()
                done += 1
        consumed = time.perf_counter() - started
    finally:
        with contextlib.suppress(Exception):
            await js.delete_stream(stream)
        await client.close()
    return {"publish_per_s": count / published, "consume_ack_per_s": count / consumed}


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| mode | sessions x rate (offered) | stored / sent | sustained | "
        "ack p50 / p99 | alert (SSE) p50 / p99 |\n|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['mode']} | {r['sessions']} x {r['rate']:g}/s ({r['offered_per_s']:g}/s) | "
            f"{r['stored']} / {r['sent']} | {r['segments_per_s']:g}/s | "
            f"{r['ack_p50_ms']:g} / {r['ack_p99_ms']:g} ms | "
            f"{r['alert_p50_ms']:g} / {r['alert_p99_ms']:g} ms ({r['alert_samples']}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--rate", type=float, default=10.0, help="segments/s per session")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--watch", type=int, default=10, help="sessions whose alerts are read")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--no-compression", action="store_true", help="WebSocket without deflate")
    parser.add_argument("--concurrency", type=int, default=None, help="liveqc worker option")
    parser.add_argument("--no-inprocess", action="store_true", help="skip the reference run")
    parser.add_argument(
        "--nats-messages", type=int, default=50_000, help="JetStream-alone ceiling run; 0 skips"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    args = parser.parse_args()
    args.backend = "postgresql"
    args.worker_args = [] if args.concurrency is None else ["--concurrency", str(args.concurrency)]
    if not postgres_available():
        raise SystemExit(f"PostgreSQL is not reachable at {PG_URL}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in [int(n) for n in args.workers.split(",") if n]:
            rows.append(run_broker(workers, args, Path(tmp)))
            print(json.dumps(rows[-1]) if args.json else f"done: {rows[-1]['mode']}", flush=True)
    if not args.no_inprocess:
        rows.append(run_inprocess(args))
        if args.json:
            print(json.dumps(rows[-1]))
    if args.nats_messages:
        ceiling = asyncio.run(nats_ceiling(args.nats_messages))
        print(
            json.dumps({"mode": "jetstream alone", **ceiling})
            if args.json
            else f"JetStream alone, {args.nats_messages} messages of 300 bytes, one stream: "
            f"publish {ceiling['publish_per_s']:,.0f}/s, "
            f"fetch + ack {ceiling['consume_ack_per_s']:,.0f}/s"
        )
    if rows and not args.json:
        print(f"\n{args.duration:g} s of sending, PostgreSQL, {os.cpu_count()} cores\n")
        print(table(rows))
        for r in rows:
            if "worker_cpu_ms_per_segment" in r:
                print(
                    f"{r['mode']}: CPU per segment stored: serve "
                    f"{r['serve_cpu_ms_per_segment']:g} ms, workers "
                    f"{r['worker_cpu_ms_per_segment']:g} ms; {r.get('batches', '?')} batches of "
                    f"{r.get('segments_per_batch', '?')} segments on average, worker CPU per "
                    f"batch {r.get('worker_cpu_ms_per_batch', '?')} ms (load average before: "
                    f"{r['load_before']:g})"
                )


if __name__ == "__main__":
    main()
