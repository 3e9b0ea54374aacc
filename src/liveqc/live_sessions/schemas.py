"""Pydantic I/O for live sessions, hosts, lineup, segments, alerts and dispositions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liveqc.db.types import PlainText
from liveqc.live_sessions.models import (
    AlertSource,
    Disposition,
    LiveSessionStatus,
    SegmentKind,
)

MAX_ID = 2_147_483_647
#: Longest stream time accepted (a week in ms; fits a portable INTEGER).
MAX_MS = 7 * 24 * 3600 * 1000


class HostCreate(BaseModel):
    name: PlainText = Field(min_length=1, max_length=100)
    birth_date: date | None = Field(default=None, description="Required unless is_virtual")
    is_virtual: bool = Field(default=False, description="An AI-generated virtual host")

    @model_validator(mode="after")
    def _birth_date_for_people(self) -> HostCreate:
        if not self.is_virtual and self.birth_date is None:
            raise ValueError("birth_date is required for a host who is a person")
        return self


class HostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    birth_date: date | None
    is_virtual: bool


class LineupItemCreate(BaseModel):
    product_id: int = Field(gt=0, le=MAX_ID)
    position: int | None = Field(default=None, ge=1, le=10_000)
    script: PlainText = Field(default="", max_length=20_000)


class LineupItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    position: int
    script: str


class LiveSessionCreate(BaseModel):
    platform: PlainText = Field(min_length=1, max_length=50)
    room: PlainText = Field(min_length=1, max_length=100)
    title: PlainText = Field(min_length=1, max_length=200)
    scheduled_at: datetime
    hosts: list[HostCreate] = Field(default_factory=list, max_length=20)
    lineup: list[LineupItemCreate] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _aware(self) -> LiveSessionCreate:
        if self.scheduled_at.tzinfo is None:
            raise ValueError("scheduled_at needs a timezone (e.g. 2026-12-01T20:00:00+08:00)")
        return self


class LiveSessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    platform: str
    room: str
    title: str
    scheduled_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    status: LiveSessionStatus
    has_virtual_host: bool
    last_seq: int
    last_segment_id: str | None
    current_lineup_item_id: int | None
    hosts: list[HostRead]
    lineup: list[LineupItemRead]
    created_at: datetime
    updated_at: datetime


class LiveSessionPage(BaseModel):
    items: list[LiveSessionRead]
    total: int
    limit: int
    offset: int


class SegmentIn(BaseModel):
    """One transcript sentence or comment from a speech-recognition system or a chat feed."""

    segment_id: PlainText = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    seq: int = Field(ge=1, le=MAX_ID)
    start_ms: int = Field(ge=0, le=MAX_MS)
    end_ms: int = Field(ge=0, le=MAX_MS)
    speaker: PlainText = Field(default="", max_length=100)
    lineup_item_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    kind: SegmentKind = SegmentKind.TRANSCRIPT
    text: PlainText = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _ordered_times(self) -> SegmentIn:
        if self.end_ms < self.start_ms:
            raise ValueError("end_ms must not be before start_ms")
        return self


class SegmentBatch(BaseModel):
    segments: list[SegmentIn] = Field(min_length=1, max_length=500)


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    live_session_id: int
    source: AlertSource
    segment_pk: int | None
    lineup_item_id: int | None
    code: str
    rule: str
    severity: str
    start: int
    end: int
    match: str
    basis: str
    message: str
    suggestion: str
    sentence: str
    at_ms: int | None
    disposition: Disposition
    corrected_at_ms: int | None
    correction_segment_id: str | None
    reason: str
    disposed_by_user_id: int | None
    disposed_at: datetime | None
    created_at: datetime


class AlertPage(BaseModel):
    items: list[AlertRead]
    total: int
    limit: int
    offset: int


class SegmentAck(BaseModel):
    """What happened to one segment: stored, duplicate (already stored), gap or stale."""

    segment_id: str
    seq: int
    status: Literal["stored", "duplicate", "gap", "stale", "rejected"]
    last_seq: int
    expected_seq: int
    alerts: list[AlertRead] = Field(default_factory=list)
    detail: str = ""


class IngestResult(BaseModel):
    acks: list[SegmentAck]
    last_seq: int
    last_segment_id: str | None


class IngestState(BaseModel):
    live_session_id: int
    status: LiveSessionStatus
    last_seq: int
    last_segment_id: str | None
    expected_seq: int


class DispositionIn(BaseModel):
    disposition: Literal["corrected_on_air", "accepted", "escalated"]
    corrected_at_ms: int | None = Field(default=None, ge=0, le=MAX_MS)
    reason: PlainText = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _needs(self) -> DispositionIn:
        if self.disposition == "corrected_on_air" and self.corrected_at_ms is None:
            raise ValueError("corrected_at_ms is required for corrected_on_air")
        if self.disposition == "accepted" and not self.reason.strip():
            raise ValueError("reason is required to accept a finding")
        return self


class PriceRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lineup_item_id: int | None
    product_id: int | None
    amount: float
    kind: str
    match: str
    at_ms: int


class PriceRecordPage(BaseModel):
    items: list[PriceRecordRead]
    total: int


class RetentionIn(BaseModel):
    years: int = Field(ge=3, le=100, description="At least the legal minimum of 3 years")


class RetentionRead(BaseModel):
    years: int
    minimum_years: int
