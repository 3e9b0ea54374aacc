"""Complaints, their photos, per-organisation deadline policies and risk alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liveqc.complaints.calendar import (
    DEFAULT_FIRST_RESPONSE_WORKING_DAYS,
    DEFAULT_RESOLUTION_WORKING_DAYS,
)
from liveqc.complaints.classify import ComplaintCategory
from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import PortableJSON, StrEnumType, UTCDateTime, utcnow

#: Complaints on one product within 7 days that open a re-vetting (organisation default).
DEFAULT_REVETTING_THRESHOLD = 3


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    CLOSED = "closed"


#: Statuses in which the organisation still owes the consumer an answer.
OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.INVESTIGATING,
)


class Remedy(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"
    REPAIR = "repair"
    COMPENSATION = "compensation"


class AlertKind(StrEnum):
    PRODUCT_BURST = "product_burst"
    SAFETY_INCIDENT = "safety_incident"
    OVERDUE = "overdue"


class ComplaintPolicy(IdMixin, OrgOwned, TimestampMixin, Base):
    """One organisation's deadlines (working days) and its complaint threshold."""

    __tablename__ = "complaint_policies"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    first_response_working_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_FIRST_RESPONSE_WORKING_DAYS
    )
    resolution_working_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_RESOLUTION_WORKING_DAYS
    )
    revetting_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_REVETTING_THRESHOLD)


class Complaint(IdMixin, OrgOwned, TimestampMixin, Base):
    """A consumer complaint owned by the agency that sold the product."""

    __tablename__ = "complaints"

    #: Random and unguessable; the consumer's only key to the case.
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    order_number: Mapped[str] = mapped_column(String(64), default="", index=True)
    platform: Mapped[str] = mapped_column(String(32), default="")
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id"), nullable=True, index=True
    )
    #: Live session (no FK yet: live sessions are another domain's table).
    live_session_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    room_reference: Mapped[str] = mapped_column(String(200), default="")
    host_name: Mapped[str] = mapped_column(String(100), default="")
    #: The product's batch/lot number as printed on the package (optional).
    batch: Mapped[str] = mapped_column(String(64), default="")
    purchase_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    price_paid: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    description: Mapped[str] = mapped_column(Text)
    desired_remedy: Mapped[Remedy | None] = mapped_column(StrEnumType(Remedy), nullable=True)

    category: Mapped[ComplaintCategory] = mapped_column(StrEnumType(ComplaintCategory))
    is_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "classifier" until staff override the category.
    category_source: Mapped[str] = mapped_column(String(16), default="classifier")
    classifier_reasons: Mapped[list[Any] | None] = mapped_column(PortableJSON, nullable=True)
    is_safety_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Advertising/price claims the compliance engine found in the text: [{code, match}].
    claims: Mapped[list[Any] | None] = mapped_column(PortableJSON, nullable=True)

    status: Mapped[ComplaintStatus] = mapped_column(
        StrEnumType(ComplaintStatus), default=ComplaintStatus.RECEIVED, index=True
    )
    first_response_due: Mapped[date] = mapped_column(Date)
    resolution_due: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    overdue_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    remedy: Mapped[Remedy | None] = mapped_column(StrEnumType(Remedy), nullable=True)
    remedy_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    escalated_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True
    )
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id"), nullable=True, index=True
    )

    attachments: Mapped[list[ComplaintAttachment]] = relationship(
        back_populates="complaint", order_by="ComplaintAttachment.id"
    )


class ComplaintAttachment(IdMixin, OrgOwned, Base):
    """A photo; the bytes live in the upload directory under their SHA-256."""

    __tablename__ = "complaint_attachments"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")


class ComplaintAlert(IdMixin, OrgOwned, Base):
    """A risk signal staff must look at: a burst on a product, a safety incident, a miss."""

    __tablename__ = "complaint_alerts"

    kind: Mapped[AlertKind] = mapped_column(StrEnumType(AlertKind))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id"), nullable=True, index=True
    )
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id"), nullable=True, index=True
    )
    message: Mapped[str] = mapped_column(Text)
    complaint_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    window_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_revetting_opened: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
