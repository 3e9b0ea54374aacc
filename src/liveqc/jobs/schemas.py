"""Pydantic I/O for jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from liveqc.jobs.models import Job, JobStatus


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: JobStatus
    done: int
    total: int | None
    percent: int | None
    message: str
    result: dict[str, Any] | None
    result_ref: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seen_at: datetime | None

    @classmethod
    def of(cls, job: Job, live: tuple[int, int | None, str] | None = None) -> JobRead:
        """The row, with the live progress of this process laid over it while it runs."""
        read = cls.model_validate(job)
        if live is not None and job.status is JobStatus.RUNNING:
            done, total, message = live
            percent = max(0, min(100, done * 100 // total)) if total else None
            read = read.model_copy(
                update={"done": done, "total": total, "message": message, "percent": percent}
            )
        return read


class JobPage(BaseModel):
    items: list[JobRead]
    total: int
    limit: int
    offset: int
