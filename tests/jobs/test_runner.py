"""The runner: work after commit, progress, success, failure, tenancy, recovery, threads."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from liveqc.db import tenancy
from liveqc.db.session import make_session_factory
from liveqc.events.models import AuditEvent
from liveqc.jobs import service
from liveqc.jobs.models import Job, JobStatus
from liveqc.jobs.runner import JobRunner, is_orphan, process_name
from tests.conftest import make_settings
from tests.jobs.conftest import Probe, Tenant, make_tenant
from tests.jobs.test_service import audit_actions


@pytest.fixture
def runner(session_factory: sessionmaker[Session], tmp_path: Path) -> JobRunner:
    return JobRunner(session_factory, make_settings(tmp_path))


def submit(
    factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant, kind: str, **params: Any
) -> int:
    with factory() as session, session.begin():
        tenancy.set_organisation(session, tenant.organisation_id)
        job = runner.submit(session, kind=kind, params=params, user_id=tenant.user_id)
        assert job.status is JobStatus.QUEUED
        return job.id


def load(factory: sessionmaker[Session], tenant: Tenant, job_id: int) -> Job:
    with factory() as session:
        tenancy.set_organisation(session, tenant.organisation_id)
        return service.get_or_raise(session, job_id)


def test_a_job_runs_once_its_transaction_commits_and_reports_progress(
    session_factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant, probe: Probe
) -> None:
    probe.runner = runner
    assert runner.inline  # one test connection: no threads
    job_id = submit(session_factory, runner, tenant, "test.count", steps=4)
    job = load(session_factory, tenant, job_id)
    assert job.status is JobStatus.SUCCEEDED and job.runner == runner.name
    assert (job.done, job.total, job.message) == (4, 4, "counted 4")
    assert job.result == {"counted": 4} and job.result_ref == f"/jobs/{job_id}"
    assert probe.live == [(n, 4, f"step {n}") for n in range(1, 5)]
    assert runner.live(job_id) is None  # forgotten once finished
    assert probe.organisations == [tenant.organisation_id]  # the job's tenant is set
    with session_factory() as session:
        assert audit_actions(session, job_id) == ["create", "running", "succeeded"]


def test_a_rolled_back_submission_never_runs(
    session_factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant, probe: Probe
) -> None:
    with session_factory() as session:
        session.begin()
        tenancy.set_organisation(session, tenant.organisation_id)
        runner.submit(session, kind="test.count", params={}, user_id=tenant.user_id)
        session.rollback()
        with session.begin():  # the session's next transaction does not start it either
            tenancy.set_organisation(session, tenant.organisation_id)
        assert probe.organisations == []
        with session.begin():
            tenancy.set_organisation(session, tenant.organisation_id)
            runner.submit(session, kind="test.count", params={}, user_id=tenant.user_id)
    assert probe.organisations == [tenant.organisation_id]


def test_a_refused_job_fails_with_its_message_and_its_work_is_rolled_back(
    session_factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant, probe: Probe
) -> None:
    job_id = submit(session_factory, runner, tenant, "test.refuse")
    job = load(session_factory, tenant, job_id)
    assert job.status is JobStatus.FAILED
    assert job.error == "Validation failed: sheet: row 7 has no SKU"
    with session_factory() as session, tenancy.bypass_tenancy(session, reason="test"):
        touched = select(func.count()).where(AuditEvent.object_type == "test")
        assert session.scalar(touched) == 0
        assert audit_actions(session, job_id) == ["create", "running", "failed"]


def test_an_unexpected_error_is_logged_but_not_shown(
    session_factory: sessionmaker[Session],
    runner: JobRunner,
    tenant: Tenant,
    probe: Probe,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job_id = submit(session_factory, runner, tenant, "test.crash")
    job = load(session_factory, tenant, job_id)
    assert job.status is JobStatus.FAILED
    assert "RuntimeError" in (job.error or "") and "hunter2" not in (job.error or "")
    assert "hunter2" in caplog.text  # the traceback is in the server log


def test_an_unknown_kind_is_refused_at_submission(
    session_factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant
) -> None:
    from liveqc.errors import NotFound

    with pytest.raises(NotFound, match="no job kind 'nope'"):
        submit(session_factory, runner, tenant, "nope")


def test_start_up_recovery_fails_jobs_of_a_dead_process(
    session_factory: sessionmaker[Session], runner: JobRunner, tenant: Tenant
) -> None:
    host = socket.gethostname()
    with session_factory() as session, session.begin():
        tenancy.set_organisation(session, tenant.organisation_id)
        dead = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
        service.start(session, dead, runner=f"{host}:999999999")
        queued = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
        elsewhere = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
        service.start(session, elsewhere, runner="another-host:1")
        mine = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
        service.start(session, mine, runner=runner.name)
        ids = dead.id, queued.id, elsewhere.id, mine.id
    assert sorted(runner.recover()) == sorted(ids[:2])
    states = [load(session_factory, tenant, i).status for i in ids]
    assert states == [JobStatus.FAILED, JobStatus.FAILED, JobStatus.RUNNING, JobStatus.RUNNING]
    assert load(session_factory, tenant, ids[0]).error == service.ORPHANED


def test_is_orphan_checks_the_process_on_this_host() -> None:
    me = process_name()
    host = me.rpartition(":")[0]
    parent = f"{host}:{os.getppid()}"
    assert not is_orphan(Job(runner=me), me=me)
    assert not is_orphan(Job(runner=parent), me=me)
    assert is_orphan(Job(runner=f"{host}:999999999"), me=me)
    assert is_orphan(Job(runner=None), me=me)
    assert not is_orphan(Job(runner="elsewhere:5"), me=me)


def test_the_pool_runs_jobs_in_threads_with_throttled_progress(
    fresh_engine: Engine, tmp_path: Path, probe: Probe
) -> None:
    factory = make_session_factory(fresh_engine)
    with factory() as session, session.begin():
        tenant = make_tenant(session)
    runner = JobRunner(factory, make_settings(tmp_path), min_interval=0.0)
    assert not runner.inline
    try:
        job_id = submit(factory, runner, tenant, "test.wait")
        assert probe.reached.wait(20)
        assert runner.live(job_id) == (1, 4, "first quarter")
        if runner.persist_progress:  # PostgreSQL: a second connection reads the progress
            running = load(factory, tenant, job_id)
            assert running.status is JobStatus.RUNNING
            assert (running.done, running.total, running.message) == (1, 4, "first quarter")
        else:  # SQLite serves one connection, held by the work until it ends
            assert fresh_engine.dialect.name == "sqlite"
        probe.release.set()
        deadline = time.monotonic() + 20
        while load(factory, tenant, job_id).status is JobStatus.RUNNING:
            assert time.monotonic() < deadline, "the job never finished"
            time.sleep(0.05)
        finished = load(factory, tenant, job_id)
        assert finished.status is JobStatus.SUCCEEDED and finished.result == {"waited": True}
        assert (finished.done, finished.total) == (4, 4)
    finally:
        probe.release.set()
        runner.shutdown(wait=True)


def test_the_pool_size_and_the_progress_interval_come_from_settings(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, job_workers=3, job_progress_interval=1.5)
    runner = JobRunner(make_session_factory(fresh_engine), settings)
    try:
        assert runner.min_interval == 1.5 and runner.workers == 3
    finally:
        runner.shutdown(wait=True)
