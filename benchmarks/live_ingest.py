"""Live ingest under load: N simultaneous sessions streaming segments through the WebSocket.

For each backend (SQLite file, PostgreSQL when reachable) the script builds a fresh database,
creates N live sessions, starts liveqc under uvicorn on 127.0.0.1 in a child process, opens one
ingest WebSocket per session and sends ``--rate`` segments per second on each for
``--duration`` seconds (about one segment in four breaks a rule). It also listens to the alert
stream (server-sent events) of ``--watch`` sessions. It prints, in one run per backend:

- segments/s sustained (acknowledged segments divided by the time from the first send to the
  last ack),
- p50/p99 segment sent → ack received (the ack is sent after the segment is stored, scanned and
  its alerts published), and
- p50/p99 segment sent → alert received on the console stream (segment received → alert pushed,
  plus the client's own delays; client and server share the machine).

    python benchmarks/live_ingest.py                         # 200 sessions x 10 segments/s, 20 s
    python benchmarks/live_ingest.py --sessions 20 --duration 5
    python benchmarks/live_ingest.py --backend sqlite
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CLEAN = [
    "家人们看一下这个质地，非常清爽",
    "今天给大家带来的是这款补水精华",
    "三十毫升一瓶，可以用两个月",
    "有问题的朋友可以在评论区问我",
    "我们支持七天无理由退货",
    "链接已经上好了，大家可以去看看",
]
BAD = [
    "这款是全网最低价",
    "用了一周就能美白淡斑",
    "想要的加微信私聊",
    "效果立竿见影，无效退款",
]
PG_URL = os.environ.get(
    "LIVEQC_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(database_url: str, sessions: int) -> tuple[str, list[int]]:
    """Migrate, create an agency user with a token, an approved product and N live sessions."""
    from liveqc.accounts import service as accounts
    from liveqc.accounts.models import OrganisationKind, Role
    from liveqc.config import Environment, Settings
    from liveqc.db import tenancy
    from liveqc.db.migrate import upgrade
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from liveqc.db.types import utcnow
    from liveqc.demo.credit_codes import credit_code
    from liveqc.live_sessions import flows, service
    from liveqc.live_sessions.schemas import HostCreate, LineupItemCreate, LiveSessionCreate
    from liveqc.products import service as products
    from liveqc.products.models import ProductCategory, ProductStatus
    from liveqc.products.schemas import ProductCreate, SupplierCreate

    settings = Settings(_env_file=None, env=Environment.TEST, database_url=database_url)  # type: ignore[call-arg]
    engine = make_db_engine(settings)
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        org = accounts.create_organisation(
            session, name="压测直播", kind=OrganisationKind.AGENCY, region="杭州"
        )
        user = accounts.create_user(session, email="bench@example.com", password="bench-password")
        accounts.add_membership(session, user=user, organisation=org, role=Role.ADMIN)
        _, token = accounts.create_token(session, user=user, name="bench")
        tenancy.set_organisation(session, org.id)
        supplier = products.create_supplier(
            session,
            data=SupplierCreate(name="压测供应商", credit_code=credit_code("330108", "MA2H7K3Q")),
            actor=user,
        )
        product = products.create_product(
            session,
            data=ProductCreate(
                supplier_id=supplier.id,
                sku="BENCH-1",
                name="补水精华",
                category=ProductCategory.COSMETICS,
            ),
            actor=user,
            status=ProductStatus.APPROVED,
        )
        ids = []
        for n in range(sessions + 1):
            live = service.create(
                session,
                data=LiveSessionCreate(
                    platform="抖音",
                    room=f"压测{n}",
                    title=f"压测场次 {n}",
                    scheduled_at=utcnow() + timedelta(minutes=5),
                    hosts=[HostCreate(name="主播", birth_date=date(1995, 1, 1))],
                    lineup=[LineupItemCreate(product_id=product.id)],
                ),
                actor=user,
            )
            flows.mark_ready(session, live, actor=user)
            flows.start(session, live, actor=user)
            ids.append(live.id)
    engine.dispose()
    return token, ids


def serve(database_url: str, port: int) -> None:
    """Child process: liveqc under uvicorn, quiet."""
    import logging

    import uvicorn

    from liveqc.api.app import create_app
    from liveqc.config import Environment, Settings

    settings = Settings(
        _env_file=None, env=Environment.TEST, database_url=database_url, log_level="WARNING"
    )  # type: ignore[call-arg]
    app = create_app(settings)
    logging.getLogger("liveqc.api").setLevel(logging.WARNING)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws_max_queue=64
    )


@dataclass
class Stats:
    sent: dict[tuple[int, str], float] = field(default_factory=dict)
    texts: dict[tuple[int, str], float] = field(default_factory=dict)
    ack_latency: list[float] = field(default_factory=list)
    push_latency: list[float] = field(default_factory=list)
    acked: int = 0
    refused: int = 0
    slow_downs: int = 0
    alerts: int = 0
    first_send: float = 0.0
    last_ack: float = 0.0


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
                alert = json.loads(line[6:])
                sent = stats.texts.pop((live_id, alert["sentence"]), None)
                if sent is not None:
                    stats.push_latency.append(time.perf_counter() - sent)


async def session_client(
    ws_base: str,
    live_id: int,
    token: str,
    rate: float,
    duration: float,
    stats: Stats,
    watched: bool,
    ready: Ready,
) -> None:
    import websockets

    url = f"{ws_base}/api/v1/live-sessions/{live_id}/ingest"
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, max_queue=256
    ) as ws:
        hello = json.loads(await ws.recv())
        seq = hello["last_seq"]
        total = int(rate * duration)
        done = asyncio.Event()

        async def receive() -> None:
            received = 0
            async for raw in ws:
                message = json.loads(raw)
                now = time.perf_counter()
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
        await asyncio.sleep(rng.random() / rate)
        start = time.perf_counter()
        stats.first_send = stats.first_send or start
        for n in range(total):
            seq += 1
            bad = rng.random() < 0.25
            text = f"{rng.choice(BAD if bad else CLEAN)}（{live_id}-{seq}）"
            segment_id = f"b{live_id}-{seq}"
            message = {
                "segment_id": segment_id,
                "seq": seq,
                "start_ms": int(n * 1000 / rate),
                "end_ms": int(n * 1000 / rate) + 900,
                "speaker": "host",
                "text": text,
            }
            now = time.perf_counter()
            stats.sent[(live_id, segment_id)] = now
            if watched and bad:
                stats.texts[(live_id, text)] = now
            await ws.send(json.dumps(message, ensure_ascii=False))
            wait = start + (n + 1) / rate - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=max(30.0, duration))
        receiver.cancel()


class Ready:
    """Every connection is open (hello received) before any session starts sending."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.go = asyncio.Event()

    async def arrive(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.go.set()
        await self.go.wait()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(
    port: int, token: str, ids: list[int], rate: float, duration: float, watch: int
) -> Stats:
    stats = Stats()
    base = f"http://127.0.0.1:{port}"
    stop = asyncio.Event()
    watched = set(ids[:watch])
    streams = [asyncio.create_task(stream(base, i, token, stats, stop)) for i in watched]
    await asyncio.sleep(0.5)
    ready = Ready(len(ids))
    await asyncio.gather(
        *(
            session_client(
                f"ws://127.0.0.1:{port}", i, token, rate, duration, stats, i in watched, ready
            )
            for i in ids
        )
    )
    await asyncio.sleep(0.5)
    stop.set()
    for task in streams:
        task.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    return stats


def warm_up(port: int, token: str, live_id: int) -> None:
    """Build the engine and fill the caches before the clock starts (first scan is slow)."""
    import httpx

    segments = [
        {"segment_id": f"warm-{n}", "seq": n, "start_ms": n, "end_ms": n, "text": text}
        for n, text in enumerate(BAD + CLEAN, 1)
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
        target=serve, args=(url, port), daemon=True
    )
    server.start()
    try:
        wait_until_up(port)
        warm_up(port, token, warm)
        stats = asyncio.run(drive(port, token, ids, args.rate, args.duration, args.watch))
    finally:
        server.terminate()
        server.join(10)
    span = max(stats.last_ack - stats.first_send, 1e-9)
    expected = int(args.rate * args.duration) * args.sessions
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
        "segments_per_s": round(stats.acked / span, 1),
        "ack_p50_ms": round(pct(stats.ack_latency, 0.50), 1),
        "ack_p99_ms": round(pct(stats.ack_latency, 0.99), 1),
        "push_samples": len(stats.push_latency),
        "push_p50_ms": round(pct(stats.push_latency, 0.50), 1),
        "push_p99_ms": round(pct(stats.push_latency, 0.99), 1),
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
            f"{r['refused']} refused, {r['slow_downs']} slow-downs); "
            f"{r['segments_per_s']:g} segments/s sustained; "
            f"ack p50 {r['ack_p50_ms']:g} ms p99 {r['ack_p99_ms']:g} ms; "
            f"alert pushed p50 {r['push_p50_ms']:g} ms p99 {r['push_p99_ms']:g} ms "
            f"({r['push_samples']} alerts watched)"
        )


if __name__ == "__main__":
    main()
