"""Shared fixtures: settings, a migrated database per backend, per-test rollback sessions,
the HTTP client, the CLI runner and the demo data set.

``db_engine`` runs on SQLite and on PostgreSQL. PostgreSQL runs when
``LIVEQC_TEST_DATABASE_URL`` is set (it must then answer) or when a local server answers at
127.0.0.1:5432; each run migrates a uniquely named schema and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from liveqc.accounts import security
from liveqc.config import Settings
from liveqc.db.migrate import upgrade
from liveqc.db.session import make_db_engine, make_session_factory

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
#: The DemoContext of each shared demo database, by engine.
DEMO_CONTEXTS: dict[Engine, Any] = {}


def postgres_url() -> str | None:
    """The PostgreSQL URL to test against, or None when there is none."""
    configured = os.environ.get("LIVEQC_TEST_DATABASE_URL")
    if configured:
        return configured
    try:
        engine = create_engine(LOCAL_POSTGRES, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return None
    return LOCAL_POSTGRES


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": f"sqlite:///{tmp / 'liveqc-test.db'}",
        "secret_key": TEST_SECRET,
        "upload_dir": tmp / "uploads",
        # the tests' sessions run in a transaction a writer process could not see
        "ingest_writer_processes": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Cheap argon2 parameters so that tests creating many users stay fast."""
    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original


@pytest.fixture(scope="session")
def demo_uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The upload directory of the shared demo database (its documents and photos live here)."""
    return tmp_path_factory.mktemp("demo-uploads")


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if "demo" in request.fixturenames:
        return make_settings(tmp_path, upload_dir=request.getfixturevalue("demo_uploads"))
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server (set LIVEQC_TEST_DATABASE_URL)")
    return url


def make_pg_schema_engine(url: str) -> tuple[Engine, str]:
    """An engine whose connections live in a new, uniquely named schema."""
    schema = f"liveqc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_db_engine(
        Settings(_env_file=None, database_url=url),  # type: ignore[call-arg]
        connect_args={"options": f"-csearch_path={schema}"},
    )
    return engine, schema


def drop_pg_schema(url: str, schema: str) -> None:
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this run of a persistence test (PostgreSQL skips when absent)."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_url")
    return str(request.param)


def _migrated_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "liveqc.db"
        engine = make_db_engine(make_settings(path.parent, database_url=f"sqlite:///{path}"))
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    url = request.getfixturevalue("pg_url")
    engine, schema = make_pg_schema_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_schema(url, schema)


@pytest.fixture(scope="session")
def db_engine(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """An empty database migrated with `upgrade head`, once per backend per test run."""
    yield from _migrated_engine(backend, request, tmp_path_factory)


@pytest.fixture(scope="session")
def demo_engine(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    demo_uploads: Path,
) -> Iterator[Engine]:
    """A second database with the whole demo data set loaded once, per backend per test run.

    Loading the demo takes seconds; tests that ask for ``demo`` share this copy and each runs
    in a transaction that is rolled back, exactly as on the empty database.
    """
    from liveqc.demo.loader import load

    for engine in _migrated_engine(backend, request, tmp_path_factory):
        demo_settings = make_settings(tmp_path_factory.mktemp("demo"), upload_dir=demo_uploads)
        with make_session_factory(engine)() as session, session.begin():
            DEMO_CONTEXTS[engine] = load(session, demo_settings)
        yield engine


@pytest.fixture
def db_connection(request: pytest.FixtureRequest, db_engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test.

    Tests that use the demo data connect to the shared demo database instead of the empty one.
    """
    engine = request.getfixturevalue("demo_engine") if "demo" in request.fixturenames else db_engine
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_factory(db_connection: Connection) -> sessionmaker[Session]:
    """Sessions that commit to savepoints inside the test's transaction."""
    return make_session_factory(db_connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def demo(demo_engine: Engine) -> Any:
    """The demo data set (loaded once per backend); returns its DemoContext."""
    return DEMO_CONTEXTS[demo_engine]


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    from liveqc.api.app import create_app

    app = create_app(settings, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def login(client: TestClient, demo: Any) -> Any:
    """``login(email, org=None)`` → headers with a fresh bearer token for a demo user."""

    def _login(email: str, org: int | None = None) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": "demo-password"}
        )
        assert response.status_code == 201, response.text
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        if org is not None:
            headers["X-Liveqc-Org"] = str(org)
        return headers

    return _login
