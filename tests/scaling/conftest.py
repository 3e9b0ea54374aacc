"""Fixtures of the fault tests: NATS with a per-test prefix, liveqc processes with guaranteed
cleanup, a fresh PostgreSQL schema on the shared server, and a private PostgreSQL server that
a test may stop and start.

The shared PostgreSQL at 127.0.0.1:5432 is never restarted: other tests use it. A test that
restarts the database gets its own server (initdb + pg_ctl on a free port in a temp dir).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import TEST_SECRET, drop_pg_schema, make_pg_schema_engine

IN_CI = bool(os.environ.get("CI"))
DEFAULT_NATS = "nats://127.0.0.1:4222"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


def _unavailable(reason: str, required: bool) -> None:
    if required:
        pytest.fail(reason)
    pytest.skip(reason)


# ---------------------------------------------------------------- NATS


@pytest.fixture(scope="session")
def nats_url() -> str:
    """LIVEQC_TEST_NATS_URL (CI exports it; the server must then answer), else a local NATS."""
    configured = os.environ.get("LIVEQC_TEST_NATS_URL")
    url = configured or DEFAULT_NATS
    parsed = urlparse(url)
    if not _reachable(parsed.hostname or "127.0.0.1", parsed.port or 4222):
        _unavailable(f"no NATS server at {url} (set LIVEQC_TEST_NATS_URL)", bool(configured))
    return url


async def _delete_streams(url: str, prefix: str) -> None:
    import nats

    client = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=1)
    try:
        js = client.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(f"{prefix.upper()}_"):
                await js.delete_stream(info.config.name)
    finally:
        await client.close()


@pytest.fixture
def nats_prefix(nats_url: str) -> Iterator[str]:
    """A fresh subject/stream prefix; its streams (``<PREFIX>_SEGMENTS``…) go afterwards."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    asyncio.run(_delete_streams(nats_url, prefix))


# ---------------------------------------------------------------- liveqc processes


@dataclass
class Proc:
    """A liveqc child process in its own process group; stdout is collected by a thread."""

    name: str
    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    stderr_path: Path | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if not self.alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not print {text!r}:\n{self.output()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)  # a second SIGTERM is harmless
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(5)
        self.kill(signal.SIGKILL)  # whatever it left in its group

    def output(self) -> str:
        err = self.stderr_path.read_text(errors="replace") if self.stderr_path else ""
        return "".join(self.lines[-40:]) + err[-4000:]


class Processes:
    """Starts ``python -m liveqc …`` children; every one is stopped when the test ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[Proc] = []

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQC_")}
        env.update(
            LIVEQC_ENV="test",
            LIVEQC_SECRET_KEY=TEST_SECRET,
            LIVEQC_UPLOAD_DIR=str(self.workdir / "uploads"),
            LIVEQC_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(overrides)
        return env

    def start(self, name: str, *args: str, env: dict[str, str]) -> Proc:
        stderr_path = self.workdir / f"{name}-{len(self.started)}.stderr"
        popen = subprocess.Popen(
            [sys.executable, "-m", "liveqc", *args],
            cwd=self.workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr_path.open("w"),
            text=True,
            start_new_session=True,
        )
        proc = Proc(name, popen, stderr_path=stderr_path)
        threading.Thread(target=self._collect, args=(proc,), daemon=True).start()
        self.started.append(proc)
        return proc

    @staticmethod
    def _collect(proc: Proc) -> None:
        assert proc.popen.stdout is not None
        for line in proc.popen.stdout:
            proc.lines.append(line)

    def run(self, *args: str, env: dict[str, str], timeout: float = 120) -> str:
        """Run a short command to completion; its output, or an error naming the command."""
        done = subprocess.run(
            [sys.executable, "-m", "liveqc", *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(f"liveqc {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def serve(self, env: dict[str, str], timeout: float = 60) -> tuple[Proc, int]:
        """``liveqc serve`` on a free loopback port, once /healthz answers."""
        import httpx

        port = free_port()
        proc = self.start("serve", "serve", "--host", "127.0.0.1", "--port", str(port), env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.alive():
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return proc, port
            time.sleep(0.2)
        raise AssertionError(f"liveqc serve did not come up:\n{proc.output()}")

    def worker(
        self, env: dict[str, str], *args: str, wait: bool = True, timeout: float = 60
    ) -> Proc:
        """``liveqc worker``, once it says ``worker ready`` (unless ``wait`` is false)."""
        proc = self.start("worker", "worker", *args, env=env)
        if wait:
            proc.wait_for_line("worker ready", timeout)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:  # all at once, then wait for each
            if proc.alive():
                proc.kill(signal.SIGTERM)
        for proc in self.started:
            proc.stop()


@pytest.fixture
def processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            for proc in procs.started:
                print(f"--- {proc.name} (pid {proc.pid}) ---\n{proc.output()}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


# ---------------------------------------------------------------- databases


@pytest.fixture
def pg_schema_url(pg_url: str) -> Iterator[str]:
    """A URL whose connections live in a new, empty schema of the shared test server."""
    engine, schema = make_pg_schema_engine(pg_url)
    engine.dispose()
    sep = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        drop_pg_schema(pg_url, schema)


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(versions[-1]).parent if versions else None


class PrivatePostgres:
    """A throw-away PostgreSQL server (trust auth, loopback only) that a test may restart."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/liveqc"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.start()
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE liveqc")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL server on a free port, removed afterwards."""
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed", IN_CI)
        raise AssertionError("unreachable")
    # not under pytest's tmp_path: the postgres user must be able to reach the directory
    root = Path(tempfile.mkdtemp(prefix="liveqc-pg-"))
    server = PrivatePostgres(bindir, root, free_port())
    try:
        server.init()
        yield server
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
