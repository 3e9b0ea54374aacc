"""Real liveqc servers for the browser tests, each on its own fresh database.

A server is launched in three steps: migrate (the Python API behind ``liveqc db upgrade``),
spawn ``liveqc serve`` on a free loopback port, and load the demo data (``liveqc demo load``)
while it boots. ``ServerPool`` launches the SQLite server and, when PostgreSQL answers, the
PostgreSQL one at once, so that their boots overlap; a test waits only for the one it uses.
Any failure carries the command that failed and the server's output.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, text

SECRET = "browser-test-secret-key-0123456789abcdef"
#: A demo user who is also given a second organisation, for the organisation switcher.
MULTI_ORG_USER = ("admin@xinghe.example", "青禾优选")
START_TIMEOUT = 60.0
#: Talks to the test server directly, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerStartError(RuntimeError):
    """The test server could not be prepared or did not become ready."""


@dataclass
class LiveServer:
    """A ``liveqc serve`` subprocess and the directory it works in."""

    base_url: str
    workdir: Path
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        """Poll /readyz until it answers 200; raise with the server's output if it never does."""
        deadline = time.monotonic() + START_TIMEOUT
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(
                    f"`liveqc serve` exited with {self.process.returncode} before it was ready\n"
                    f"--- server output ---\n{self.log()}"
                )
            try:
                with DIRECT.open(self.base_url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.1)
        raise ServerStartError(
            f"`liveqc serve` not ready after {START_TIMEOUT:.0f} s ({last_error})\n"
            f"--- server output ---\n{self.log()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(workdir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEQC_")}
    env.update(
        LIVEQC_ENV="test",
        LIVEQC_DATABASE_URL=database_url,
        LIVEQC_SECRET_KEY=SECRET,
        LIVEQC_UPLOAD_DIR=str(workdir / "uploads"),
        LIVEQC_LOG_LEVEL="WARNING",
        # The wrong-password test must not lock a demo account for the other tests.
        LIVEQC_LOGIN__MAX_FAILURES_PER_ACCOUNT="1000",
        LIVEQC_LOGIN__MAX_FAILURES_PER_ADDRESS="1000",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def _database(workdir: Path, database_url: str) -> tuple[Any, Any]:
    from liveqc.config import Settings
    from liveqc.db.session import make_db_engine

    settings = Settings(
        _env_file=None,
        env="test",
        database_url=database_url,
        secret_key=SECRET,
        upload_dir=workdir / "uploads",
    )
    return settings, make_db_engine(settings)


def migrate(workdir: Path, database_url: str) -> None:
    """What ``liveqc db upgrade`` does, through the Python API."""
    from liveqc.db.migrate import upgrade

    _, engine = _database(workdir, database_url)
    try:
        upgrade(engine)
    except Exception as exc:
        raise ServerStartError(f"migrating the database failed:\n{traceback.format_exc()}") from exc
    finally:
        engine.dispose()


def load_demo(workdir: Path, database_url: str) -> None:
    """What ``liveqc demo load`` does, plus a second organisation for ``MULTI_ORG_USER`` so that
    the organisation switcher has something to switch to."""
    from liveqc.accounts import service as accounts
    from liveqc.accounts.models import Role
    from liveqc.db.session import make_session_factory, session_scope
    from liveqc.demo.loader import load

    settings, engine = _database(workdir, database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            load(session, settings)
            email, second_org = MULTI_ORG_USER
            user = accounts.get_user_or_raise(session, email)
            organisation = accounts.get_organisation_or_raise(session, second_org)
            accounts.add_membership(session, user=user, organisation=organisation, role=Role.ADMIN)
    except Exception as exc:
        raise ServerStartError(f"loading the demo data failed:\n{traceback.format_exc()}") from exc
    finally:
        engine.dispose()


def spawn(workdir: Path, database_url: str) -> LiveServer:
    """Start ``liveqc serve`` on a free loopback port (not waiting for it)."""
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "liveqc", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=server_env(workdir, database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return LiveServer(f"http://127.0.0.1:{port}", workdir, database_url, process, log_path)


def with_schema(url: str, schema: str) -> str:
    """The PostgreSQL ``url`` with every connection's search_path set to ``schema``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@dataclass
class ServerPool:
    """Servers by name ("sqlite", "postgresql"): launched together, awaited one by one."""

    root: Path
    servers: dict[str, LiveServer] = field(default_factory=dict)
    errors: dict[str, ServerStartError] = field(default_factory=dict)
    ready: set[str] = field(default_factory=set)
    schemas: list[tuple[str, str]] = field(default_factory=list)

    def migrate_and_spawn(self, name: str, database_url: str) -> None:
        workdir = self.root / name
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            migrate(workdir, database_url)
            self.servers[name] = spawn(workdir, database_url)
        except ServerStartError as exc:
            self.errors[name] = exc

    def add_postgresql(self, url: str) -> str:
        """A fresh schema for the PostgreSQL server; returns the URL that uses it."""
        schema = f"liveqc_browser_{uuid.uuid4().hex[:12]}"
        admin = create_engine(url)
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            admin.dispose()
        self.schemas.append((url, schema))
        return with_schema(url, schema)

    def load(self, name: str) -> None:
        server = self.servers.get(name)
        if server is None:
            return
        try:
            load_demo(server.workdir, server.database_url)
        except ServerStartError as exc:
            self.errors[name] = exc

    def get(self, name: str) -> LiveServer:
        """The named server once /readyz answers; ServerStartError if it cannot start."""
        if name in self.errors:
            raise self.errors[name]
        server = self.servers[name]
        if name not in self.ready:
            try:
                server.wait_ready()
            except ServerStartError as exc:
                self.errors[name] = exc
                raise
            self.ready.add(name)
        return server

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()
        for url, schema in self.schemas:
            admin = create_engine(url)
            try:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            finally:
                admin.dispose()
