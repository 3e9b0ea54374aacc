"""Product quality control: suppliers, brands and their authorisation chain, products, documents,
test reports, inspection lots with their AQL plans, switching state and the vetting history.

Every row is owned by one organisation (tenancy is enforced by the session).
"""

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

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import PortableJSON, StrEnumType, UTCDateTime, utcnow
from liveqc.products.aql import DefectClass, InspectionState, Severity
from liveqc.products.documents import DocumentType
from liveqc.products.test_reports import Verdict


class ProductCategory(StrEnum):
    """The shared contract categories (see docs/engine.md)."""

    COSMETICS = "cosmetics"
    FOOD = "food"
    HEALTH_FOOD = "health_food"
    GENERAL = "general"
    APPAREL = "apparel"
    ELECTRONICS = "electronics"
    APPLIANCE = "appliance"
    BABY = "baby"
    TOY = "toy"
    MEDICAL_DEVICE = "medical_device"
    DRUG = "drug"
    TOBACCO = "tobacco"
    AGRICULTURE = "agriculture"
    JEWELRY = "jewelry"


class ProductStatus(StrEnum):
    """Where a product stands in vetting (see docs/products.md for the transitions)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    DOCUMENTS_REVIEW = "documents_review"
    SAMPLE_TESTING = "sample_testing"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    #: Alias of DOCUMENTS_REVIEW for callers that only need "under vetting".
    VETTING = "documents_review"

    @property
    def may_go_on_air(self) -> bool:
        """Approved (with or without conditions): the product may be sold in a live room."""
        return self in (ProductStatus.APPROVED, ProductStatus.APPROVED_WITH_CONDITIONS)


class _LongStrEnumType(StrEnumType):
    """An enum column wide enough for the longest document type name."""

    impl = String(48)
    cache_ok = True


class LotDecisionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Supplier(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("organisation_id", "credit_code"),)

    name: Mapped[str] = mapped_column(String(200))
    #: 统一社会信用代码 (GB 32100-2015, 18 characters).
    credit_code: Mapped[str] = mapped_column(String(18))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    #: End of the business licence's term; None means 长期 (no end).
    licence_valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class Brand(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    trademark_number: Mapped[str] = mapped_column(String(32), default="")


class BrandAuthorization(IdMixin, OrgOwned, TimestampMixin, Base):
    """One link of a brand's authorisation chain: brand owner → distributor(s) → supplier.

    ``parent_id`` is the link that authorised the grantor (None when the grantor is the brand
    owner); ``supplier_id`` is set on the link whose grantee is one of our suppliers.
    """

    __tablename__ = "brand_authorizations"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("brand_authorizations.id"), nullable=True
    )
    grantor: Mapped[str] = mapped_column(String(200))
    grantee: Mapped[str] = mapped_column(String(200))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id"), nullable=True, index=True
    )
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    brand: Mapped[Brand] = relationship(lazy="joined")


class Product(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("organisation_id", "sku"),)

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(100), default="")
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), nullable=True)
    category: Mapped[ProductCategory] = mapped_column(StrEnumType(ProductCategory))
    specification: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ProductStatus] = mapped_column(
        StrEnumType(ProductStatus), default=ProductStatus.DRAFT
    )
    description: Mapped[str] = mapped_column(Text, default="")
    #: GS1 GTIN (EAN/UPC barcode number), check digit verified.
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    stock_remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_imported: Mapped[bool] = mapped_column(Boolean, default=False)
    made_to_order: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Conditions of the requirements matrix besides ``imported`` (whitening, sunscreen, ...).
    conditions: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    target_age_min_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_age_max_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Who submitted the current vetting round (the four-eyes rule compares with the approver).
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    supplier: Mapped[Supplier] = relationship(lazy="joined")


class ProductImage(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "product_images"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)


class ProductPrice(IdMixin, OrgOwned, Base):
    """A price actually charged at a moment (for ``lowest_price_7d``)."""

    __tablename__ = "product_prices"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    charged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QualificationDocument(IdMixin, OrgOwned, TimestampMixin, Base):
    """A licence, certificate, registration or report on file, for a product or a supplier."""

    __tablename__ = "qualification_documents"

    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id"), nullable=True, index=True
    )
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id"), nullable=True, index=True
    )
    type: Mapped[DocumentType] = mapped_column(_LongStrEnumType(DocumentType))
    number: Mapped[str] = mapped_column(String(64), default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: What the document proves: efficacy claims or approved health functions.
    claims: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TestReport(IdMixin, OrgOwned, TimestampMixin, Base):
    """A third-party test report; its verdict is computed from the items, never typed in."""

    __test__ = False  # not a pytest class
    __tablename__ = "test_reports"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    report_number: Mapped[str] = mapped_column(String(64))
    lab: Mapped[str] = mapped_column(String(200))
    cma_number: Mapped[str] = mapped_column(String(32), default="")
    cnas_number: Mapped[str] = mapped_column(String(32), default="")
    sample_name: Mapped[str] = mapped_column(String(200), default="")
    tested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    standard: Mapped[str] = mapped_column(String(200), default="")
    efficacy_claims: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    verdict: Mapped[Verdict] = mapped_column(StrEnumType(Verdict))
    reasons: Mapped[list[str]] = mapped_column(PortableJSON, default=list)

    items: Mapped[list[TestReportItem]] = relationship(
        order_by="TestReportItem.position", cascade="all, delete-orphan", lazy="selectin"
    )


class TestReportItem(IdMixin, OrgOwned, Base):
    __test__ = False
    __tablename__ = "test_report_items"

    report_id: Mapped[int] = mapped_column(ForeignKey("test_reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(200), default="")
    limit: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    result: Mapped[str] = mapped_column(String(200), default="")
    verdict: Mapped[Verdict] = mapped_column(StrEnumType(Verdict))
    reason: Mapped[str] = mapped_column(Text, default="")


class InspectionLot(IdMixin, OrgOwned, TimestampMixin, Base):
    """A lot sampled under AQL plans (one per defect class), with its decision."""

    __tablename__ = "inspection_lots"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(64))
    lot_size: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8))
    decision: Mapped[LotDecisionStatus] = mapped_column(
        StrEnumType(LotDecisionStatus), default=LotDecisionStatus.PENDING
    )
    reasons: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    #: Net content: declared quantity, unit and each sampled unit's actual quantity.
    nominal_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 3), nullable=True)
    quantity_unit: Mapped[str] = mapped_column(String(8), default="")
    unit_quantities: Mapped[list[str]] = mapped_column(PortableJSON, default=list)
    netcontent_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    classes: Mapped[list[InspectionLotClass]] = relationship(
        order_by="InspectionLotClass.id", cascade="all, delete-orphan", lazy="selectin"
    )


class InspectionLotClass(IdMixin, OrgOwned, Base):
    """One defect class of a lot: its AQL, the plan used and the nonconforming count found."""

    __tablename__ = "inspection_lot_classes"

    lot_id: Mapped[int] = mapped_column(ForeignKey("inspection_lots.id"), index=True)
    defect_class: Mapped[DefectClass] = mapped_column(StrEnumType(DefectClass))
    aql: Mapped[str] = mapped_column(String(8))
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity))
    code_letter: Mapped[str] = mapped_column(String(2))
    plan_code_letter: Mapped[str] = mapped_column(String(2))
    sample_size: Mapped[int] = mapped_column(Integer)
    accept: Mapped[int] = mapped_column(Integer)
    reject: Mapped[int] = mapped_column(Integer)
    inspect_all: Mapped[bool] = mapped_column(Boolean, default=False)
    nonconforming: Mapped[int | None] = mapped_column(Integer, nullable=True)
    accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: What was found on the nonconforming sample units.
    defects: Mapped[list[str]] = mapped_column(PortableJSON, default=list)


class SwitchingRecord(IdMixin, OrgOwned, TimestampMixin, Base):
    """GB/T 2828.1 switching state of one supplier, product and defect class across lots."""

    __tablename__ = "aql_switching_states"
    __table_args__ = (
        UniqueConstraint("organisation_id", "supplier_id", "product_id", "defect_class"),
    )

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    defect_class: Mapped[DefectClass] = mapped_column(StrEnumType(DefectClass))
    state: Mapped[InspectionState] = mapped_column(StrEnumType(InspectionState))
    data: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)


class VettingEvent(IdMixin, OrgOwned, Base):
    """One vetting step: who moved the product from which state to which, when and why."""

    __tablename__ = "vetting_events"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[ProductStatus] = mapped_column(StrEnumType(ProductStatus))
    to_status: Mapped[ProductStatus] = mapped_column(StrEnumType(ProductStatus))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: What triggered the step: "user", or another domain (expired_document, spot_check, ...).
    source: Mapped[str] = mapped_column(String(32), default="user")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
