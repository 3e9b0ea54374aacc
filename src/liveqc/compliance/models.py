"""Stored scans and their findings, organisation dictionaries and disabled rules.

Every row belongs to one organisation; the engine itself (``liveqc.engine``) stores nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import PortableJSON, StrEnumType, UTCDateTime


class FindingStatus(StrEnum):
    """open: to review; accepted: reviewed and allowed as is; resolved: the text was fixed."""

    OPEN = "open"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"


class EntryKind(StrEnum):
    """banned: the organisation flags the phrase; allow: the phrase wins over any rule."""

    BANNED = "banned"
    ALLOW = "allow"


class Scan(IdMixin, OrgOwned, TimestampMixin, Base):
    """One scanned utterance or script, with the context it was judged in."""

    __tablename__ = "compliance_scans"

    #: What was scanned: ``adhoc`` (pasted), ``script``, ``segment`` (live transcript), ...
    source_type: Mapped[str] = mapped_column(String(32), index=True)
    source_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scene: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The product facts as given to the engine (a snapshot; the product may change later).
    facts: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, nullable=True)
    catalogue_version: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True, index=True
    )
    text: Mapped[str] = mapped_column(Text)
    finding_count: Mapped[int] = mapped_column(Integer, default=0)

    findings: Mapped[list[Finding]] = relationship(
        back_populates="scan", order_by="Finding.position", cascade="all, delete-orphan"
    )


class Finding(IdMixin, OrgOwned, TimestampMixin, Base):
    """One finding of a stored scan, with the review status a person gave it."""

    __tablename__ = "compliance_findings"

    scan_id: Mapped[int] = mapped_column(
        ForeignKey("compliance_scans.id", ondelete="CASCADE"), index=True
    )
    #: Order within the scan (the engine's stable order).
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40), index=True)
    rule: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    match: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text)
    catalogue_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[FindingStatus] = mapped_column(
        StrEnumType(FindingStatus), default=FindingStatus.OPEN, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    scan: Mapped[Scan] = relationship(back_populates="findings")


class DictionaryEntry(IdMixin, OrgOwned, TimestampMixin, Base):
    """A phrase the organisation bans (with code and severity) or allows."""

    __tablename__ = "compliance_dictionary_entries"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "phrase"),)

    kind: Mapped[EntryKind] = mapped_column(StrEnumType(EntryKind))
    phrase: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class DisabledRule(IdMixin, OrgOwned, TimestampMixin, Base):
    """A catalogue rule the organisation switched off (``id`` or ``pack/id``)."""

    __tablename__ = "compliance_disabled_rules"
    __table_args__ = (UniqueConstraint("organisation_id", "rule"),)

    rule: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500), default="")


class DictionaryState(IdMixin, OrgOwned, TimestampMixin, Base):
    """The organisation's dictionary version: bumped by every change to entries or rules.

    ``fingerprint`` is a hash of the active dictionary; engines are cached by it, so a
    process sees a change at its next scan and a rolled-back change never leaves a stale one.
    """

    __tablename__ = "compliance_dictionary_states"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    version: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
