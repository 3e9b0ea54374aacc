"""Pydantic I/O for suppliers, brands, products, documents, test reports and inspection lots."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liveqc.db.types import PlainText
from liveqc.products.aql import DefectClass, Severity
from liveqc.products.documents import Condition, DocumentType
from liveqc.products.models import LotDecisionStatus, ProductCategory, ProductStatus
from liveqc.products.test_reports import Verdict

_MAX_ID = 2_147_483_647
Id = Field(gt=0, le=_MAX_ID)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SupplierCreate(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    credit_code: PlainText = Field(
        min_length=18, max_length=18, description="统一社会信用代码 (18 characters)"
    )
    contact_name: PlainText = Field(default="", max_length=100)
    contact_phone: PlainText = Field(default="", max_length=32)
    region: PlainText = Field(default="", max_length=200)
    licence_valid_to: date | None = Field(default=None, description="None: 长期 (no end)")


class SupplierUpdate(BaseModel):
    """Fields a supplier's record may change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    credit_code: PlainText | None = Field(default=None, min_length=18, max_length=18)
    contact_name: PlainText | None = Field(default=None, max_length=100)
    contact_phone: PlainText | None = Field(default=None, max_length=32)
    region: PlainText | None = Field(default=None, max_length=200)

    @field_validator("name", "credit_code", "contact_name", "contact_phone", "region")
    @classmethod
    def _not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("cannot be null")
        return value


class SupplierRead(_Read):
    id: int
    organisation_id: int
    name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    region: str
    licence_valid_to: date | None = None
    created_at: datetime
    updated_at: datetime


class SupplierPage(BaseModel):
    items: list[SupplierRead]
    total: int
    limit: int
    offset: int


class BrandCreate(BaseModel):
    name: PlainText = Field(min_length=1, max_length=100)
    owner_name: PlainText = Field(default="", max_length=200)
    trademark_number: PlainText = Field(default="", max_length=32)


class BrandRead(_Read):
    id: int
    name: str
    owner_name: str
    trademark_number: str
    created_at: datetime


class BrandPage(BaseModel):
    items: list[BrandRead]
    total: int


class AuthorizationCreate(BaseModel):
    """One link of the chain; ``parent_id`` is the link that authorised the grantor."""

    parent_id: int | None = Field(default=None, gt=0, le=_MAX_ID)
    grantor: PlainText = Field(min_length=1, max_length=200)
    grantee: PlainText = Field(min_length=1, max_length=200)
    supplier_id: int | None = Field(default=None, gt=0, le=_MAX_ID)
    valid_from: date
    valid_to: date | None = None


class AuthorizationRead(_Read):
    id: int
    brand_id: int
    parent_id: int | None
    grantor: str
    grantee: str
    supplier_id: int | None
    valid_from: date
    valid_to: date | None


class AuthorizationPage(BaseModel):
    items: list[AuthorizationRead]
    total: int


class ProductCreate(BaseModel):
    supplier_id: int = Id
    sku: PlainText = Field(min_length=1, max_length=64)
    name: PlainText = Field(min_length=1, max_length=200)
    brand: PlainText = Field(default="", max_length=100)
    brand_id: int | None = Field(default=None, gt=0, le=_MAX_ID)
    category: ProductCategory
    specification: PlainText = Field(default="", max_length=200)
    description: PlainText = Field(default="", max_length=5000)
    gtin: PlainText | None = Field(default=None, max_length=32, description="GS1 GTIN-8/12/13/14")
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500)
    list_price: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999.99"))
    stock_remaining: int | None = Field(default=None, ge=0, le=_MAX_ID)
    is_imported: bool = False
    made_to_order: bool = False
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    target_age_min_months: int | None = Field(default=None, ge=0, le=1800)
    target_age_max_months: int | None = Field(default=None, ge=0, le=1800)

    @field_validator("list_price")
    @classmethod
    def _cents(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value != value.quantize(Decimal("0.01")):
            raise ValueError("at most two decimal places")
        return value


class ProductUpdate(BaseModel):
    """Fields a product may change; absent fields stay as they are, null clears optional ones.

    ``category``, ``conditions`` and ``is_imported`` decide which documents are required, so
    the service accepts them only while the product is a draft or back in documents review.
    """

    model_config = ConfigDict(extra="forbid")

    name: PlainText | None = Field(default=None, min_length=1, max_length=200)
    brand: PlainText | None = Field(default=None, max_length=100)
    specification: PlainText | None = Field(default=None, max_length=200)
    description: PlainText | None = Field(default=None, max_length=5000)
    gtin: PlainText | None = Field(default=None, max_length=32, description="GS1 GTIN-8/12/13/14")
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500)
    list_price: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999.99"))
    stock_remaining: int | None = Field(default=None, ge=0, le=_MAX_ID)
    category: ProductCategory | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=20)
    is_imported: bool | None = None

    @field_validator("list_price")
    @classmethod
    def _cents(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value != value.quantize(Decimal("0.01")):
            raise ValueError("at most two decimal places")
        return value

    @field_validator(
        "name", "brand", "specification", "description", "category", "conditions", "is_imported"
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


class ProductImageRead(_Read):
    id: int
    product_id: int
    file_name: str
    content_type: str
    file_size: int
    file_sha256: str
    created_at: datetime


class ProductImagePage(BaseModel):
    items: list[ProductImageRead]
    total: int


class ProductRead(_Read):
    id: int
    organisation_id: int
    supplier_id: int
    sku: str
    name: str
    brand: str
    brand_id: int | None = None
    category: ProductCategory
    specification: str
    status: ProductStatus
    description: str
    gtin: str | None = None
    shelf_life_days: int | None = None
    list_price: Decimal | None = None
    stock_remaining: int | None = None
    is_imported: bool = False
    made_to_order: bool = False
    conditions: list[str] = []
    target_age_min_months: int | None = None
    target_age_max_months: int | None = None
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductRead]
    total: int
    limit: int
    offset: int


class PriceCreate(BaseModel):
    price: Decimal = Field(ge=0, le=Decimal("9999999999.99"))
    charged_at: datetime | None = None


class DocumentFields(BaseModel):
    """A document's data (the file, if any, travels separately)."""

    type: DocumentType
    number: PlainText = Field(default="", max_length=64)
    issuer: PlainText = Field(default="", max_length=200)
    valid_from: date | None = None
    valid_to: date | None = None
    claims: list[PlainText] = Field(default_factory=list, max_length=30)


class DocumentRead(_Read):
    id: int
    product_id: int | None
    supplier_id: int | None
    type: DocumentType
    number: str
    issuer: str
    valid_from: date | None
    valid_to: date | None
    claims: list[str]
    file_name: str
    content_type: str
    file_size: int | None
    file_sha256: str | None
    created_at: datetime


class DocumentPage(BaseModel):
    items: list[DocumentRead]
    total: int


class TestItemIn(BaseModel):
    __test__ = False

    name: PlainText = Field(min_length=1, max_length=200)
    method: PlainText = Field(default="", max_length=200)
    limit: PlainText = Field(default="", max_length=200)
    unit: PlainText = Field(default="", max_length=32)
    result: PlainText = Field(default="", max_length=200)


class TestReportCreate(BaseModel):
    """A report as printed; verdicts are computed, so there is no verdict field."""

    __test__ = False
    model_config = ConfigDict(extra="forbid")

    report_number: PlainText = Field(min_length=1, max_length=64)
    lab: PlainText = Field(min_length=1, max_length=200)
    cma_number: PlainText = Field(default="", max_length=32)
    cnas_number: PlainText = Field(default="", max_length=32)
    sample_name: PlainText = Field(default="", max_length=200)
    tested_on: date | None = None
    standard: PlainText = Field(default="", max_length=200)
    efficacy_claims: list[PlainText] = Field(default_factory=list, max_length=30)
    items: list[TestItemIn] = Field(min_length=1, max_length=500)


class TestItemRead(_Read):
    __test__ = False

    position: int
    name: str
    method: str
    limit: str
    unit: str
    result: str
    verdict: Verdict
    reason: str


class TestReportRead(_Read):
    __test__ = False

    id: int
    product_id: int
    report_number: str
    lab: str
    cma_number: str
    cnas_number: str
    sample_name: str
    tested_on: date | None
    standard: str
    efficacy_claims: list[str]
    verdict: Verdict
    reasons: list[str]
    items: list[TestItemRead]


class TestReportPage(BaseModel):
    __test__ = False

    items: list[TestReportRead]
    total: int


class LotCreate(BaseModel):
    """A lot to sample; the plan per class follows from the switching state."""

    lot_number: PlainText = Field(min_length=1, max_length=64)
    lot_size: int = Field(ge=2, le=100_000_000)
    level: PlainText = Field(default="II", max_length=8)
    aqls: dict[DefectClass, Decimal] = Field(
        default_factory=lambda: {DefectClass.MAJOR: Decimal("1.0")}, min_length=1
    )
    nominal_quantity: Decimal | None = Field(default=None, gt=0, le=Decimal("1000000"))
    quantity_unit: PlainText = Field(default="", max_length=8)


class LotResults(BaseModel):
    """Nonconforming units found per class, and net contents of the sampled units."""

    nonconforming: dict[DefectClass, int] = Field(min_length=1)
    defects: dict[DefectClass, list[PlainText]] = Field(default_factory=dict)
    unit_quantities: list[Decimal] = Field(default_factory=list, max_length=10_000)

    @field_validator("nonconforming")
    @classmethod
    def _not_negative(cls, value: dict[DefectClass, int]) -> dict[DefectClass, int]:
        if any(count < 0 for count in value.values()):
            raise ValueError("counts cannot be negative")
        return value


class LotClassRead(_Read):
    defect_class: DefectClass
    aql: str
    severity: Severity
    code_letter: str
    plan_code_letter: str
    sample_size: int
    accept: int
    reject: int
    inspect_all: bool
    nonconforming: int | None
    accepted: bool | None
    defects: list[str]


class LotRead(_Read):
    id: int
    product_id: int
    supplier_id: int
    lot_number: str
    lot_size: int
    level: str
    decision: LotDecisionStatus
    reasons: list[str]
    nominal_quantity: Decimal | None
    quantity_unit: str
    unit_quantities: list[str]
    netcontent_passed: bool | None
    decided_at: datetime | None
    classes: list[LotClassRead]


class LotPage(BaseModel):
    items: list[LotRead]
    total: int


class VettingAction(BaseModel):
    reason: PlainText = Field(default="", max_length=2000)


class VettingEventRead(_Read):
    id: int
    action: str
    from_status: ProductStatus
    to_status: ProductStatus
    actor_user_id: int | None
    reason: str
    source: str
    at: datetime


class VettingPage(BaseModel):
    items: list[VettingEventRead]
    total: int


class DocumentCheckRead(BaseModel):
    ok: bool
    category: str
    conditions: list[str]
    today: date
    missing: list[dict[str, Any]]
    expired: list[dict[str, Any]]
    expiring: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
    blocked: list[dict[str, Any]]
