"""Pydantic I/O for suppliers and products."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from liveqc.db.types import PlainText
from liveqc.products.models import ProductCategory, ProductStatus


class SupplierCreate(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    credit_code: PlainText = Field(
        min_length=18, max_length=18, description="统一社会信用代码 (18 characters)"
    )
    contact_name: PlainText = Field(default="", max_length=100)
    contact_phone: PlainText = Field(default="", max_length=32)
    region: PlainText = Field(default="", max_length=200)


class SupplierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    region: str
    created_at: datetime
    updated_at: datetime


class SupplierPage(BaseModel):
    items: list[SupplierRead]
    total: int
    limit: int
    offset: int


class ProductCreate(BaseModel):
    supplier_id: int = Field(gt=0, le=2_147_483_647)
    sku: PlainText = Field(min_length=1, max_length=64)
    name: PlainText = Field(min_length=1, max_length=200)
    brand: PlainText = Field(default="", max_length=100)
    category: ProductCategory
    specification: PlainText = Field(default="", max_length=200)
    description: PlainText = Field(default="", max_length=5000)


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    supplier_id: int
    sku: str
    name: str
    brand: str
    category: ProductCategory
    specification: str
    status: ProductStatus
    description: str
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductRead]
    total: int
    limit: int
    offset: int
