"""The web process's job runner: started with the app (recovering orphaned jobs), reached
from requests, and the one call other domains' pages use to start a job."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from liveqc.accounts.service import Principal
from liveqc.jobs.models import Job
from liveqc.jobs.reading import close_reader
from liveqc.jobs.runner import JobRunner

log = logging.getLogger("liveqc.jobs")


def runner_for(app: Any) -> JobRunner:
    """The app's runner, made on first use when the app was not started with its lifespan."""
    runner = getattr(app.state, "job_runner", None)
    if runner is None:
        runner = JobRunner(app.state.session_factory, app.state.settings)
        app.state.job_runner = runner
    return runner


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the runner with the app; fail the jobs a stopped process left behind."""
    runner = runner_for(app)
    try:
        runner.recover()
    except Exception:  # the app still serves /healthz and /readyz says what is wrong
        log.warning("jobs: could not recover orphaned jobs at start-up", exc_info=True)
    try:
        yield
    finally:
        runner.shutdown(wait=False)
        close_reader(app)


def get_runner(request: Request) -> JobRunner:
    return runner_for(request.app)


RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def start_job(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    kind: str,
    params: dict[str, Any],
    message: str = "",
) -> Job:
    """Queue ``kind`` for the signed-in user; it runs once the request's transaction commits."""
    return runner_for(request.app).submit(
        session, kind=kind, params=params, user_id=principal.user.id, message=message
    )
