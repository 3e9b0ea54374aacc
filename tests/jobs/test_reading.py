"""While a job runs in the pool, the jobs API, the status JSON and the tray answer at once and
show its progress moving, on SQLite (whose one writer the job holds) and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from liveqc.accounts import service as accounts
from liveqc.api.app import create_app
from liveqc.db import tenancy
from liveqc.db.session import make_session_factory
from liveqc.jobs.reading import reader_engine, reader_for
from liveqc.jobs.runner import KINDS, JobContext, JobRunner, Outcome, Progress
from tests.conftest import make_settings
from tests.jobs.conftest import Tenant, make_tenant
from tests.web.test_views import sign_in

STEPS = 3
PASSWORD = "long-enough-password"


@dataclass
class Gate:
    """A job that reports step n, then waits for the test to let it take step n + 1."""

    reached: list[threading.Event] = field(
        default_factory=lambda: [threading.Event() for _ in range(STEPS)]
    )
    release: list[threading.Event] = field(
        default_factory=lambda: [threading.Event() for _ in range(STEPS)]
    )

    def open_all(self) -> None:
        for event in self.release:
            event.set()


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()

    def steps(session: Session, context: JobContext, progress: Progress) -> Outcome:
        for step in range(STEPS):
            progress(step + 1, STEPS + 1, f"step {step + 1}")
            gate.reached[step].set()
            assert gate.release[step].wait(30), "the test never released the job"
        return Outcome({"steps": STEPS}, f"/jobs/{context.job_id}", "all steps")

    KINDS["test.steps"] = steps
    yield gate
    gate.open_all()
    KINDS.pop("test.steps", None)


@dataclass
class Site:
    factory: sessionmaker[Session]
    client: TestClient
    tenant: Tenant
    headers: dict[str, str]


@pytest.fixture
def site(fresh_engine: Engine, tmp_path: Path) -> Iterator[Site]:
    """The app over a database whose sessions really commit, its runner on threads."""
    factory = make_session_factory(fresh_engine)
    with factory() as session, session.begin():
        tenant = make_tenant(session)
        user = accounts.get_user_or_raise(session, "jobs-a@example.test")
        _, token = accounts.create_token(session, user=user)
    settings = make_settings(tmp_path)
    app: Any = create_app(settings, session_factory=factory)
    runner = app.state.job_runner = JobRunner(factory, settings, min_interval=0.0)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, "jobs-a@example.test", PASSWORD)
        yield Site(factory, client, tenant, {"Authorization": f"Bearer {token}"})
    runner.shutdown(wait=True)  # the job's thread ends before its database goes


def submit(site: Site) -> int:
    with site.factory() as session, session.begin():
        tenancy.set_organisation(session, site.tenant.organisation_id)
        runner: JobRunner = site.client.app.state.job_runner  # type: ignore[attr-defined]
        job = runner.submit(session, kind="test.steps", params={}, user_id=site.tenant.user_id)
        return job.id


def answered(call: Callable[[], Any], gate: Gate) -> Any:
    """``call``'s response within 10 s, or a failure (a request stuck behind the job)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(call)
        try:
            return future.result(timeout=10)
        except TimeoutError:
            gate.open_all()  # let the job end so the stuck request and the test can finish
            pytest.fail("the request waited for the running job")


def test_progress_moves_in_the_api_and_the_console_while_the_job_runs(
    site: Site, gate: Gate, fresh_engine: Engine
) -> None:
    job_id = submit(site)
    client, headers = site.client, site.headers
    seen = []
    for step in range(STEPS):
        assert gate.reached[step].wait(20), "the job never reached its step"
        if fresh_engine.dialect.name == "sqlite":  # the job holds the one pooled connection
            assert cast(QueuePool, fresh_engine.pool).checkedout() == 1
        api = answered(lambda: client.get(f"/api/v1/jobs/{job_id}", headers=headers), gate)
        assert api.status_code == 200, api.text
        seen.append((api.json()["status"], api.json()["done"], api.json()["total"]))
        status = answered(lambda: client.get(f"/jobs/{job_id}/status.json"), gate).json()
        assert (status["status"], status["done"], status["summary"]) == (
            "running",
            step + 1,
            f"{step + 1} / {STEPS + 1}",
        )
        listed = answered(lambda: client.get("/api/v1/jobs", headers=headers), gate).json()
        assert listed["items"][0]["done"] == step + 1
        tray = answered(lambda: client.get("/jobs/tray.json"), gate).json()
        assert [j["percent"] for j in tray["active"]] == [(step + 1) * 100 // (STEPS + 1)]
        page = answered(lambda: client.get(f"/jobs/{job_id}"), gate)
        assert page.status_code == 200 and f'value="{tray["active"][0]["percent"]}"' in page.text
        gate.release[step].set()
    assert seen == [("running", n, STEPS + 1) for n in range(1, STEPS + 1)]
    deadline = time.monotonic() + 20
    while (job := client.get(f"/api/v1/jobs/{job_id}", headers=headers).json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, "the job never finished"
        time.sleep(0.05)
    assert job["status"] == "succeeded" and job["result"] == {"steps": STEPS}
    assert (job["done"], job["total"], job["percent"]) == (STEPS + 1, STEPS + 1, 100)
    detail = client.get(f"/jobs/{job_id}")  # opening it reads its notification
    assert detail.status_code == 200
    assert client.get("/jobs/tray.json").json()["unread"] == []


def test_another_process_reads_progress_from_the_row_on_postgresql(
    site: Site, gate: Gate, fresh_engine: Engine, tmp_path: Path
) -> None:
    if fresh_engine.dialect.name == "sqlite":
        pytest.skip("SQLite: one web process serves the database; its runner has the progress")
    job_id = submit(site)
    assert gate.reached[0].wait(20)
    gate.release[0].set()
    assert gate.reached[1].wait(20)
    other: Any = create_app(make_settings(tmp_path / "other"), session_factory=site.factory)
    with TestClient(other) as elsewhere:  # its own runner knows nothing of the job
        assert other.state.job_runner.live(job_id) is None
        job = elsewhere.get(f"/api/v1/jobs/{job_id}", headers=site.headers).json()
    assert (job["status"], job["done"], job["total"], job["message"]) == (
        "running",
        2,
        STEPS + 1,
        "step 2",
    )
    gate.open_all()


def test_only_a_sqlite_file_gets_a_reader(fresh_engine: Engine, tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    memory = create_engine("sqlite://")
    assert reader_engine(memory) is None
    with fresh_engine.connect() as connection:
        assert reader_engine(connection) is None  # a factory bound to one connection (tests)
    reader = reader_engine(fresh_engine)
    if fresh_engine.dialect.name != "sqlite":
        assert reader is None
        return
    assert reader is not None
    with reader.connect() as connection, pytest.raises(Exception, match="readonly"):
        connection.exec_driver_sql("DELETE FROM jobs")
    reader.dispose()


def test_the_reader_is_made_once_per_app_and_closed_with_it(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    app: Any = create_app(
        make_settings(tmp_path), session_factory=make_session_factory(fresh_engine)
    )
    with TestClient(app):
        reader = reader_for(app)
        assert reader is reader_for(app)
        assert (reader is None) == (fresh_engine.dialect.name != "sqlite")
    assert getattr(app.state, "job_reader", None) is None
