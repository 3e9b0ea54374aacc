"""Live sessions and what happens in them: hosts, lineup, segments, alerts and prices said.

Every row is organisation-owned; child rows carry the session's organisation so that tenancy
filters them without joins.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import StrEnumType, UTCDateTime, utcnow


class LiveSessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    READY = "ready"
    LIVE = "live"
    ENDED = "ended"


class SegmentKind(StrEnum):
    TRANSCRIPT = "transcript"
    COMMENT = "comment"


class AlertSource(StrEnum):
    """Where an alert came from: a pre-air script, the host's words, a comment, a product."""

    SCRIPT = "script"
    TRANSCRIPT = "transcript"
    COMMENT = "comment"
    PRODUCT = "product"


class Disposition(StrEnum):
    OPEN = "open"
    CORRECTED_ON_AIR = "corrected_on_air"
    ACCEPTED = "accepted"
    ESCALATED = "escalated"


class LiveSession(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "live_sessions"

    platform: Mapped[str] = mapped_column(String(50))
    room: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[LiveSessionStatus] = mapped_column(
        StrEnumType(LiveSessionStatus), default=LiveSessionStatus.SCHEDULED, index=True
    )
    #: An AI-generated virtual host is on the stream: the whole stream carries the label.
    has_virtual_host: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Highest sequence number stored so far; the next segment must carry last_seq + 1.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_segment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The lineup item being presented (the last one a transcript segment named).
    current_lineup_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    hosts: Mapped[list[Host]] = relationship(
        back_populates="live_session", cascade="all, delete-orphan", order_by="Host.id"
    )
    lineup: Mapped[list[LineupItem]] = relationship(
        back_populates="live_session",
        cascade="all, delete-orphan",
        order_by="LineupItem.position",
    )


class Host(IdMixin, OrgOwned, Base):
    __tablename__ = "live_session_hosts"

    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    #: Required for a person (age check); a declared virtual host has none.
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    is_virtual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    live_session: Mapped[LiveSession] = relationship(back_populates="hosts")


class LineupItem(IdMixin, OrgOwned, Base):
    __tablename__ = "live_lineup_items"
    __table_args__ = (UniqueConstraint("live_session_id", "position"),)

    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    script: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    live_session: Mapped[LiveSession] = relationship(back_populates="lineup")


class Segment(IdMixin, OrgOwned, Base):
    """One transcript sentence or audience comment, exactly as received."""

    __tablename__ = "live_segments"
    __table_args__ = (
        UniqueConstraint("live_session_id", "segment_id"),
        Index("ix_live_segments_session_seq", "live_session_id", "seq"),
    )

    live_session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    segment_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(100), default="")
    lineup_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[SegmentKind] = mapped_column(StrEnumType(SegmentKind))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Alert(IdMixin, OrgOwned, Base):
    """A finding raised on a script, a segment or a product, and what a reviewer did about it."""

    __tablename__ = "live_alerts"
    __table_args__ = (Index("ix_live_alerts_session_id", "live_session_id", "id"),)

    live_session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    source: Mapped[AlertSource] = mapped_column(StrEnumType(AlertSource))
    segment_pk: Mapped[int | None] = mapped_column(
        ForeignKey("live_segments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    lineup_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    rule: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[str] = mapped_column(String(16))
    start: Mapped[int] = mapped_column(Integer, default=0)
    end: Mapped[int] = mapped_column(Integer, default=0)
    match: Mapped[str] = mapped_column(String(500), default="")
    basis: Mapped[str] = mapped_column(String(500), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    #: The sentence (segment or script text) the finding was raised on.
    sentence: Mapped[str] = mapped_column(Text, default="")
    #: Time in the stream (ms from the start), None for script and pre-air alerts.
    at_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disposition: Mapped[Disposition] = mapped_column(
        StrEnumType(Disposition), default=Disposition.OPEN
    )
    corrected_at_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    correction_segment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    disposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PriceRecord(IdMixin, OrgOwned, Base):
    """A price said on air, against the lineup item being presented."""

    __tablename__ = "live_price_records"

    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    lineup_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    product_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    segment_pk: Mapped[int | None] = mapped_column(
        ForeignKey("live_segments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    amount: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    match: Mapped[str] = mapped_column(String(100), default="")
    at_ms: Mapped[int] = mapped_column(Integer, default=0)


class RetentionPolicy(IdMixin, OrgOwned, TimestampMixin, Base):
    """How long an organisation keeps ended sessions' records (never below the legal minimum)."""

    __tablename__ = "live_retention_policies"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    years: Mapped[int] = mapped_column(Integer, default=3)
