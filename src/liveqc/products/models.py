"""Suppliers and products, each owned by one organisation."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liveqc.db.base import Base, IdMixin, OrgOwned, TimestampMixin
from liveqc.db.types import StrEnumType


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
    DRAFT = "draft"
    VETTING = "vetting"
    APPROVED = "approved"
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


class Product(IdMixin, OrgOwned, TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("organisation_id", "sku"),)

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[ProductCategory] = mapped_column(StrEnumType(ProductCategory))
    specification: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ProductStatus] = mapped_column(
        StrEnumType(ProductStatus), default=ProductStatus.DRAFT
    )
    description: Mapped[str] = mapped_column(Text, default="")

    supplier: Mapped[Supplier] = relationship(lazy="joined")
