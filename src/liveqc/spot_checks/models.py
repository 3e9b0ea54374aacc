"""Regulatory co-governance: jurisdictions, access log, spot-check plans and checks, custody,
lab test items, notices and objections of the inspected agency, and public disclosures.

Ownership follows who keeps the record: the regulator owns its jurisdictions, plans, checks and
publications; the inspected agency owns the notices it receives, the objections it files and the
log of who read its records. Each side reaches the other's rows only through the audited scopes
in ``liveqc.spot_checks.jurisdiction``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import PortableJSON, StrEnumType, UTCDateTime, utcnow


class PlanMethod(StrEnum):
    SIMPLE = "simple"
    STRATIFIED = "stratified"
    RISK_WEIGHTED = "risk_weighted"


class StratifyBy(StrEnum):
    CATEGORY = "category"
    ORGANISATION = "organisation"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    DRAWN = "drawn"
    CLOSED = "closed"


class CheckStatus(StrEnum):
    DRAWN = "drawn"  # selected by the draw, not yet bought
    SAMPLED = "sampled"  # bought, in custody
    TESTED = "tested"  # lab results recorded, not concluded
    PASSED = "passed"
    NOTIFIED = "notified"  # failed; follow-up done and the agency notified
    OBJECTED = "objected"  # the agency asked for re-inspection (复检)
    CONFIRMED = "confirmed"  # objection rejected: the failed result stands
    OVERTURNED = "overturned"  # objection accepted: the re-inspection passed
    CLOSED = "closed"


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PublicationKind(StrEnum):
    RESULT = "result"
    NOTICE = "notice"


class PublicationStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Jurisdiction(IdMixin, OrgOwned, TimestampMixin, Base):
    """A regulator covers organisations whose region starts with ``region_prefix``, for one
    product category or (empty) all of them."""

    __tablename__ = "spot_check_jurisdictions"
    __table_args__ = (UniqueConstraint("organisation_id", "region_prefix", "category"),)

    region_prefix: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default="")


class AccessLog(IdMixin, OrgOwned, Base):
    """One regulator read of one non-public record, owned by the organisation that was read."""

    __tablename__ = "spot_check_access_log"

    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    reader_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reader_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(300), default="")


class SpotCheckPlan(IdMixin, OrgOwned, TimestampMixin, Base):
    """What to sample and how; the draw's seed and candidate list are kept for re-checking."""

    __tablename__ = "spot_check_plans"

    name: Mapped[str] = mapped_column(String(200))
    categories: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    regions: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    organisation_ids: Mapped[list[int]] = mapped_column(PortableJSON, default=list)
    sample_count: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    method: Mapped[PlanMethod] = mapped_column(StrEnumType(PlanMethod), default=PlanMethod.SIMPLE)
    stratify_by: Mapped[str] = mapped_column(String(32), default="")
    #: Product id (as text) → weight, for risk_weighted draws; empty means the simple score.
    weights: Mapped[dict[str, float]] = mapped_column(PortableJSON, default=dict)
    objection_period_days: Mapped[int] = mapped_column(Integer, default=15)
    status: Mapped[PlanStatus] = mapped_column(StrEnumType(PlanStatus), default=PlanStatus.DRAFT)
    #: The candidates as drawn: [{"id", "stratum", "weight"}], sorted by id.
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(PortableJSON, default=list)
    selected_ids: Mapped[list[int]] = mapped_column(PortableJSON, default=list)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SpotCheck(IdMixin, OrgOwned, TimestampMixin, Base):
    """One sampled product: purchase, custody, lab results, verdict and follow-up."""

    __tablename__ = "spot_checks"

    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("spot_check_plans.id"), index=True, nullable=True
    )
    subject_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    status: Mapped[CheckStatus] = mapped_column(StrEnumType(CheckStatus), default=CheckStatus.DRAWN)
    sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sample_place: Mapped[str] = mapped_column(String(200), default="")
    live_session_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    live_room: Mapped[str] = mapped_column(String(200), default="")
    order_number: Mapped[str] = mapped_column(String(64), default="")
    batch: Mapped[str] = mapped_column(String(64), default="")
    sample_quantity: Mapped[str] = mapped_column(String(64), default="")
    lab_name: Mapped[str] = mapped_column(String(200), default="")
    report_number: Mapped[str] = mapped_column(String(64), default="")
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Computed from the test items (pass, fail, needs_review), never typed in.
    verdict: Mapped[str] = mapped_column(String(32), default="")
    verdict_reasons: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    objection_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    follow_up: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)

    custody: Mapped[list[CustodyEntry]] = relationship(
        order_by="CustodyEntry.id", cascade="all, delete-orphan"
    )
    items: Mapped[list[TestItemRow]] = relationship(
        order_by="TestItemRow.position", cascade="all, delete-orphan"
    )


class CustodyEntry(IdMixin, OrgOwned, Base):
    """Who held the sample from when (chain of custody)."""

    __tablename__ = "spot_check_custody"

    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id"), index=True)
    holder: Mapped[str] = mapped_column(String(200))
    held_from: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class TestItemRow(IdMixin, OrgOwned, Base):
    """One lab test item; its verdict is computed by ``products.test_reports``."""

    __tablename__ = "spot_check_test_items"
    __test__ = False  # not a pytest class

    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    limit_text: Mapped[str] = mapped_column(String(200), default="")
    result_text: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(200), default="")
    verdict: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")


class Notice(IdMixin, OrgOwned, Base):
    """A message to the inspected agency (owned by the agency, which reads it)."""

    __tablename__ = "spot_check_notices"

    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id"), index=True)
    regulator_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Objection(IdMixin, OrgOwned, Base):
    """The agency's request for re-inspection (复检) of a failed check."""

    __tablename__ = "spot_check_objections"

    spot_check_id: Mapped[int] = mapped_column(ForeignKey("spot_checks.id"), index=True)
    regulator_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(
        StrEnumType(ObjectionStatus), default=ObjectionStatus.PENDING
    )
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class Publication(IdMixin, OrgOwned, TimestampMixin, Base):
    """A public disclosure: a spot-check result or a notice. Published rows are never edited;
    a correction is a new row pointing at the one it corrects."""

    __tablename__ = "spot_check_publications"

    kind: Mapped[PublicationKind] = mapped_column(StrEnumType(PublicationKind))
    spot_check_id: Mapped[int | None] = mapped_column(
        ForeignKey("spot_checks.id"), index=True, nullable=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    #: What the public sees of a result: product, brand, supplier, batch, failed items, date.
    data: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    status: Mapped[PublicationStatus] = mapped_column(
        StrEnumType(PublicationStatus), default=PublicationStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("spot_check_publications.id"), nullable=True, index=True
    )


class Campaign(IdMixin, OrgOwned, TimestampMixin, Base):
    """A special governance campaign (专项整治): a theme, a set of violation codes and optional
    product categories over a period; running it stores the latest report."""

    __tablename__ = "spot_check_campaigns"

    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    codes: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    categories: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON, nullable=True)
