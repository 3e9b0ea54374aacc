"""Job rows: create, read, and move through queued → running → succeeded | failed, audited.

The background work itself runs in :mod:`liveqc.jobs.runner`; this module only changes rows
(it flushes, never commits) so the runner, the pages and the tests share one set of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from liveqc.db.tenancy import bypass_tenancy, current_organisation
from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition, NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.jobs.models import Job, JobStatus

#: Allowed status changes; anything else raises InvalidTransition.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
}
MAX_MESSAGE = 500
MAX_ERROR = 4000
#: Shown for jobs whose process went away while they were queued or running.
ORPHANED = "interrupted: the process running this job stopped; start it again"


def create(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    user_id: int,
    runner: str | None = None,
    message: str = "",
) -> Job:
    """A queued job of the session's organisation for ``user_id``, to run in process
    ``runner`` (audited)."""
    organisation_id = current_organisation(session)
    if organisation_id is None:
        raise ValidationFailed("a job belongs to an organisation; the session has none")
    if not kind.strip():
        raise ValidationFailed("kind: required")
    job = Job(
        organisation_id=organisation_id,
        user_id=user_id,
        kind=kind,
        status=JobStatus.QUEUED,
        done=0,
        params=dict(params),
        runner=runner,
        message=message[:MAX_MESSAGE],
    )
    session.add(job)
    session.flush()
    record(
        session, user_id, organisation_id, job, "create", None, {"kind": kind, "status": "queued"}
    )
    return job


def get(session: Session, job_id: int) -> Job | None:
    return session.scalars(select(Job).where(Job.id == job_id)).first()


def get_or_raise(session: Session, job_id: int, *, user_id: int | None = None) -> Job:
    """The job (of the session's organisation, and of ``user_id`` when given), or NotFound."""
    job = get(session, job_id)
    if job is None or (user_id is not None and job.user_id != user_id):
        raise NotFound(f"job {job_id} does not exist")
    return job


def list_(
    session: Session,
    *,
    user_id: int,
    status: JobStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Job], int]:
    """The user's jobs, newest first, and how many there are."""
    query = select(Job).where(Job.user_id == user_id)
    if status is not None:
        query = query.where(Job.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def tray(session: Session, *, user_id: int, limit: int = 10) -> tuple[list[Job], list[Job]]:
    """(the user's queued and running jobs, the finished ones not yet seen), newest first."""
    active = session.scalars(
        select(Job)
        .where(Job.user_id == user_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .order_by(Job.id.desc())
        .limit(limit)
    ).all()
    unread = session.scalars(
        select(Job)
        .where(
            Job.user_id == user_id,
            Job.status.in_([JobStatus.SUCCEEDED, JobStatus.FAILED]),
            Job.seen_at.is_(None),
        )
        .order_by(Job.id.desc())
        .limit(limit)
    ).all()
    return list(active), list(unread)


def _transition(session: Session, job: Job, to: JobStatus, **after: Any) -> Job:
    if to not in TRANSITIONS[job.status]:
        raise InvalidTransition(f"job {job.id} is {job.status.value}; cannot become {to.value}")
    before = {"status": job.status.value}
    job.status = to
    session.flush()
    record(session, None, job.organisation_id, job, to.value, before, {"status": to.value, **after})
    return job


def start(session: Session, job: Job, *, runner: str) -> Job:
    """queued → running, in process ``runner``."""
    job.runner = runner[:200]
    job.started_at = utcnow()
    return _transition(session, job, JobStatus.RUNNING, runner=job.runner)


def succeed(
    session: Session,
    job: Job,
    *,
    result: dict[str, Any] | None = None,
    result_ref: str | None = None,
    message: str = "",
) -> Job:
    """running → succeeded, with the work's summary and where to find its product."""
    job.result = result
    job.result_ref = result_ref
    if job.total is not None:
        job.done = job.total
    if message:
        job.message = message[:MAX_MESSAGE]
    job.finished_at = utcnow()
    return _transition(session, job, JobStatus.SUCCEEDED, result_ref=result_ref)


def fail(session: Session, job: Job, *, error: str) -> Job:
    """queued | running → failed, with a message for the user (never a traceback)."""
    job.error = (error.strip() or "failed")[:MAX_ERROR]
    job.finished_at = utcnow()
    return _transition(session, job, JobStatus.FAILED, error=job.error[:200])


def set_progress(
    session: Session, job_id: int, *, done: int, total: int | None, message: str
) -> None:
    """Store how far a running job got (a counter, not a state change: not audited)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(done=max(0, done), total=total, message=message[:MAX_MESSAGE], updated_at=utcnow())
    )


def mark_seen(session: Session, jobs: Iterable[Job], *, user_id: int) -> int:
    """Mark the user's finished jobs' notifications read (audited); return how many changed."""
    changed = 0
    for job in jobs:
        if job.user_id != user_id or not job.status.is_finished or job.seen_at is not None:
            continue
        job.seen_at = utcnow()
        session.flush()
        record(session, user_id, job.organisation_id, job, "seen", None, {"seen": True})
        changed += 1
    return changed


def recover_orphans(session: Session, *, is_orphan: Callable[[Job], bool]) -> list[Job]:
    """Fail every queued or running job (of any organisation) that ``is_orphan`` says lost
    its process; a system task, run when a web process starts."""
    with bypass_tenancy(session, reason="jobs: recover jobs left by a stopped process"):
        rows = session.scalars(
            select(Job)
            .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            .order_by(Job.id)
        ).all()
        failed = [job for job in rows if is_orphan(job)]
        for job in failed:
            fail(session, job, error=ORPHANED)
    return failed
