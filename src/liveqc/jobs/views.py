"""Jobs API: the caller's background jobs and their progress (read without waiting for a
running job; see :mod:`liveqc.jobs.reading`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from liveqc.api.deps import IdPath, PageDep
from liveqc.jobs import service
from liveqc.jobs.deps import RunnerDep
from liveqc.jobs.models import JobStatus
from liveqc.jobs.reading import ReadPrincipal, ReadSessionDep
from liveqc.jobs.schemas import JobPage, JobRead

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=JobPage)
def list_jobs(
    principal: ReadPrincipal,
    session: ReadSessionDep,
    runner: RunnerDep,
    page: PageDep,
    status: Annotated[JobStatus | None, Query()] = None,
) -> JobPage:
    """My jobs in the current organisation, newest first."""
    rows, total = service.list_(
        session, user_id=principal.user.id, status=status, limit=page.limit, offset=page.offset
    )
    items = [JobRead.of(job, runner.live(job.id)) for job in rows]
    return JobPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/jobs/{job_id}", response_model=JobRead)
def get_job(
    job_id: IdPath, principal: ReadPrincipal, session: ReadSessionDep, runner: RunnerDep
) -> JobRead:
    """One of my jobs: status, progress, result or error."""
    job = service.get_or_raise(session, job_id, user_id=principal.user.id)
    return JobRead.of(job, runner.live(job.id))
