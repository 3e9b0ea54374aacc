"""Job rows: creation, the transition table, notifications, tenancy and recovery."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import InvalidTransition, NotFound, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.jobs import service
from liveqc.jobs.models import JobStatus
from tests.jobs.conftest import Tenant


def audit_actions(session: Session, job_id: int) -> list[str]:
    with tenancy.bypass_tenancy(session, reason="test reads the audit trail"):
        rows = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "jobs", AuditEvent.object_id == str(job_id))
            .order_by(AuditEvent.id)
        )
        return list(rows)


def test_create_queues_a_job_of_the_session_organisation(in_org: Session, tenant: Tenant) -> None:
    job = service.create(in_org, kind="test.count", params={"steps": 2}, user_id=tenant.user_id)
    assert job.status is JobStatus.QUEUED and job.organisation_id == tenant.organisation_id
    assert (job.done, job.total, job.percent) == (0, None, None)
    assert audit_actions(in_org, job.id) == ["create"]


def test_create_needs_an_organisation_and_a_kind(session: Session, tenant: Tenant) -> None:
    with pytest.raises(ValidationFailed, match="organisation"):
        service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
    tenancy.set_organisation(session, tenant.organisation_id)
    with pytest.raises(ValidationFailed, match="kind"):
        service.create(session, kind=" ", params={}, user_id=tenant.user_id)


def test_every_state_change_follows_the_table_and_is_audited(
    in_org: Session, tenant: Tenant
) -> None:
    job = service.create(in_org, kind="test.count", params={}, user_id=tenant.user_id)
    service.start(in_org, job, runner="host:1")
    service.set_progress(in_org, job.id, done=2, total=4, message="half")
    in_org.refresh(job)
    assert (job.done, job.total, job.percent, job.message) == (2, 4, 50, "half")
    service.succeed(in_org, job, result={"n": 4}, result_ref="/x", message="all done")
    assert job.status is JobStatus.SUCCEEDED and job.done == 4 and job.percent == 100
    assert job.finished_at is not None and job.result_ref == "/x"
    with pytest.raises(InvalidTransition, match="succeeded; cannot become running"):
        service.start(in_org, job, runner="host:1")
    assert audit_actions(in_org, job.id) == ["create", "running", "succeeded"]


def test_failure_keeps_the_message_for_the_user(in_org: Session, tenant: Tenant) -> None:
    job = service.create(in_org, kind="test.count", params={}, user_id=tenant.user_id)
    service.fail(in_org, job, error="Validation failed: sheet: row 7 has no SKU")
    assert job.status is JobStatus.FAILED and "row 7" in (job.error or "")
    with pytest.raises(InvalidTransition):
        service.succeed(in_org, job)


def test_another_organisation_neither_sees_nor_reads_the_job(
    session: Session, tenant: Tenant
) -> None:
    tenancy.set_organisation(session, tenant.organisation_id)
    job = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
    tenancy.set_organisation(session, tenant.other_organisation_id)
    with pytest.raises(NotFound):
        service.get_or_raise(session, job.id)
    assert service.list_(session, user_id=tenant.user_id) == ([], 0)


def test_a_colleague_does_not_read_my_job(in_org: Session, tenant: Tenant) -> None:
    job = service.create(in_org, kind="test.count", params={}, user_id=tenant.user_id)
    with pytest.raises(NotFound):
        service.get_or_raise(in_org, job.id, user_id=tenant.other_user_id)
    assert service.get_or_raise(in_org, job.id, user_id=tenant.user_id) is job


def test_tray_lists_running_jobs_and_unread_finished_ones(in_org: Session, tenant: Tenant) -> None:
    running = service.create(in_org, kind="test.count", params={}, user_id=tenant.user_id)
    service.start(in_org, running, runner="host:1")
    done = service.create(in_org, kind="test.count", params={}, user_id=tenant.user_id)
    service.start(in_org, done, runner="host:1")
    service.succeed(in_org, done)
    active, unread = service.tray(in_org, user_id=tenant.user_id)
    assert [j.id for j in active] == [running.id] and [j.id for j in unread] == [done.id]
    assert service.mark_seen(in_org, [running, done], user_id=tenant.other_user_id) == 0
    assert service.mark_seen(in_org, [running, done], user_id=tenant.user_id) == 1
    assert service.tray(in_org, user_id=tenant.user_id)[1] == []
    assert audit_actions(in_org, done.id)[-1] == "seen"


def test_recovery_fails_only_the_orphans_of_every_organisation(
    session: Session, tenant: Tenant
) -> None:
    jobs = []
    for org, runner in (
        (tenant.organisation_id, "gone"),
        (tenant.other_organisation_id, "gone"),
        (tenant.organisation_id, "alive"),
    ):
        tenancy.set_organisation(session, org)
        job = service.create(session, kind="test.count", params={}, user_id=tenant.user_id)
        service.start(session, job, runner=runner)
        jobs.append(job)
    tenancy.set_organisation(session, None)
    failed = service.recover_orphans(session, is_orphan=lambda job: job.runner == "gone")
    assert sorted(j.id for j in failed) == sorted(j.id for j in jobs[:2])
    assert [j.status for j in jobs] == [JobStatus.FAILED, JobStatus.FAILED, JobStatus.RUNNING]
    assert jobs[0].error == service.ORPHANED
