"""Console pages ``/jobs`` and ``/jobs/{id}``, the JSON the progress bars and the header tray
poll, downloads of a job's file, and the pages' script. The pages and the polls read through
:mod:`liveqc.jobs.reading`, so they answer while a job holds SQLite's one writer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from liveqc import uploads
from liveqc.accounts.service import Principal
from liveqc.api.deps import IdPath, SessionDep
from liveqc.errors import NotFound, PermissionDenied
from liveqc.jobs import kinds, reading, service
from liveqc.jobs.deps import RunnerDep, lifespan, runner_for
from liveqc.jobs.models import Job, JobStatus
from liveqc.jobs.reading import ReadConsolePrincipal, ReadSessionDep
from liveqc.jobs.schemas import JobRead
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.views import ConsolePrincipal, check_csrf

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False, lifespan=lifespan)
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NO_STORE = {"Cache-Control": "no-store"}


render = PageRenderer(page_templates(HERE), active="jobs")


def status_payload(request: Request, job: JobRead) -> dict[str, Any]:
    """What a progress bar or the tray shows of one job, in the user's language."""
    t = translator(pick_locale(request.session.get("locale")))
    summary = ""
    if job.status is JobStatus.SUCCEEDED:
        try:
            summary = t(f"jobs.summary.{job.kind}", **(job.result or {}))
        except (KeyError, IndexError, TypeError):  # a result of an older shape
            summary = job.message
    elif job.total and job.status is not JobStatus.FAILED:
        summary = f"{job.done} / {job.total}"
    return {
        "id": job.id,
        "kind": job.kind,
        "label": t(f"jobs.kinds.{job.kind}"),
        "status": job.status.value,
        "status_text": t(f"jobs.status.{job.status.value}"),
        "finished": job.status.is_finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "summary": summary,
        "result_ref": job.result_ref if job.status is JobStatus.SUCCEEDED else None,
        "error": job.error,
        "url": f"/jobs/{job.id}",
    }


@router.get("/jobs/assets/jobs.js")
def script() -> Response:
    """The progress bars' and the tray's script (served by liveqc, no CDN)."""
    return FileResponse(
        HERE / "static" / "jobs.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/jobs/tray.json")
def tray(
    request: Request, principal: ReadConsolePrincipal, session: ReadSessionDep, runner: RunnerDep
) -> JSONResponse:
    """My running jobs and my unread notifications of finished ones."""
    active, unread = service.tray(session, user_id=principal.user.id)
    return JSONResponse(
        {
            "active": [status_payload(request, JobRead.of(j, runner.live(j.id))) for j in active],
            "unread": [status_payload(request, JobRead.of(j)) for j in unread],
        },
        headers=NO_STORE,
    )


@router.post("/jobs/seen")
def mark_all_seen(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Mark my notifications read, then go back where the form was."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    _, unread = service.tray(session, user_id=principal.user.id, limit=1000)
    service.mark_seen(session, unread, user_id=principal.user.id)
    referer = urlparse(request.headers.get("referer", ""))
    back = referer.path if referer.path.startswith("/") and not referer.netloc else "/jobs"
    if referer.netloc and referer.netloc != request.url.netloc:
        back = "/jobs"
    return RedirectResponse(back or "/jobs", status_code=303)


@router.get("/jobs")
def jobs_page(
    request: Request,
    principal: ReadConsolePrincipal,
    session: ReadSessionDep,
    runner: RunnerDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    rows, total = service.list_(session, user_id=principal.user.id, limit=50, offset=offset)
    jobs = [JobRead.of(job, runner.live(job.id)) for job in rows]
    return render(request, "jobs/list.html", principal, jobs=jobs, total=total, offset=offset)


def _mine(session: Session, principal: Principal, job_id: int) -> Job:
    return service.get_or_raise(session, job_id, user_id=principal.user.id)


def read_mine(request: Request, session: Session, principal: Principal, job_id: int) -> JobRead:
    """One of the signed-in user's jobs with its live progress, for other domains' pages."""
    job = _mine(session, principal, job_id)
    return JobRead.of(job, runner_for(request.app).live(job.id))


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    job_id: IdPath,
    principal: ReadConsolePrincipal,
    session: ReadSessionDep,
    runner: RunnerDep,
) -> HTMLResponse:
    """One job; opening a finished one reads its notification."""
    job = _mine(session, principal, job_id)
    reading.mark_seen(request, session, principal, job)
    return render(request, "jobs/detail.html", principal, job=JobRead.of(job, runner.live(job.id)))


@router.get("/jobs/{job_id}/status.json")
def job_status(
    request: Request,
    job_id: IdPath,
    principal: ReadConsolePrincipal,
    session: ReadSessionDep,
    runner: RunnerDep,
) -> JSONResponse:
    job = _mine(session, principal, job_id)
    payload = status_payload(request, JobRead.of(job, runner.live(job.id)))
    return JSONResponse(payload, headers=NO_STORE)


@router.get("/jobs/{job_id}/download")
def download(
    request: Request, job_id: IdPath, principal: ConsolePrincipal, session: SessionDep
) -> Response:
    """The file a finished job made (a report, a workbook), as an attachment."""
    job = _mine(session, principal, job_id)
    result = job.result or {}
    if job.status is not JobStatus.SUCCEEDED or "sha256" not in result:
        raise NotFound(f"job {job_id} has no file")
    path = uploads.path_for(kinds.store_root(request.app.state.settings), str(result["sha256"]))
    if not path.is_file():
        raise NotFound(f"job {job_id}: the file is no longer stored")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(str(result.get("format")), "application/octet-stream"),
        filename=str(result.get("filename") or f"job-{job_id}"),
        content_disposition_type="attachment",
    )
