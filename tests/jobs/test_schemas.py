"""JobRead lays the live progress of this process over the stored row while a job runs."""

from __future__ import annotations

from datetime import UTC, datetime

from liveqc.jobs.models import Job, JobStatus
from liveqc.jobs.schemas import JobRead


def job(status: JobStatus, done: int = 0, total: int | None = None) -> Job:
    now = datetime.now(UTC)
    return Job(id=7, kind="products.import", status=status, done=done, total=total, message="",
               created_at=now, updated_at=now)  # fmt: skip


def test_live_progress_shows_while_running() -> None:
    read = JobRead.of(job(JobStatus.RUNNING), (3, 12, "checked row 4"))
    assert (read.done, read.total, read.percent, read.message) == (3, 12, 25, "checked row 4")


def test_stored_figures_win_once_finished_or_without_live_progress() -> None:
    assert JobRead.of(job(JobStatus.SUCCEEDED, 12, 12), (3, 12, "old")).percent == 100
    assert JobRead.of(job(JobStatus.RUNNING, 1, 4)).percent == 25
    assert JobRead.of(job(JobStatus.QUEUED)).percent is None
