"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from liveqc.db.base import Base, IdMixin, OrgOwned
from liveqc.db.types import PortableJSON, UTCDateTime, utcnow


class AuditEvent(IdMixin, OrgOwned, Base):
    """One state change: who, when, which organisation and object, what before and after.

    ``hash`` is SHA-256 over the canonical JSON of the entry including ``prev_hash``, so an
    edited, inserted or removed row breaks the chain. System events have no organisation.
    """

    __tablename__ = "audit_events"

    organisation_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]
        ForeignKey("organisations.id"), index=True, nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id"), nullable=True, index=True
    )
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
