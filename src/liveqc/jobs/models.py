"""The Job row: one piece of long work run in the background for one user."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import PortableJSON, StrEnumType, UTCDateTime


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(IdMixin, OrgOwned, TimestampMixin, Base):
    """Long work (an import, a report, a campaign run) and how far it got.

    ``result`` holds the work's small summary; ``result_ref`` where to find the product (a
    console link); ``runner`` names the process that ran it, so a restart can tell orphans.
    """

    __tablename__ = "jobs"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(
        StrEnumType(JobStatus), default=JobStatus.QUEUED, index=True
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    params: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, nullable=True)
    result_ref: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def percent(self) -> int | None:
        """Whole per cent done, or None while the total is unknown."""
        if self.status is JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return max(0, min(100, self.done * 100 // self.total))
