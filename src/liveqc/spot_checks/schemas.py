"""Pydantic I/O for jurisdictions, plans, checks, objections, notices and publications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from liveqc.db.types import PlainText
from liveqc.products.models import ProductCategory
from liveqc.spot_checks.models import (
    CheckStatus,
    ObjectionStatus,
    PlanMethod,
    PlanStatus,
    PublicationKind,
    PublicationStatus,
    StratifyBy,
)

MAX_ID = 2_147_483_647
RowId = Annotated[int, Field(gt=0, le=MAX_ID)]
Weight = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class JurisdictionCreate(BaseModel):
    region: PlainText = Field(min_length=1, max_length=200, description="e.g. 浙江省杭州市滨江区")
    category: ProductCategory | None = Field(default=None, description="empty: every category")


class JurisdictionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    region_prefix: str
    category: str
    created_at: datetime


class JurisdictionPage(Page):
    items: list[JurisdictionRead]


class CoveredOrganisation(BaseModel):
    id: int
    name: str
    kind: str
    region: str
    categories: list[str] | None


class CoveredPage(Page):
    items: list[CoveredOrganisation]


class AccessLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    at: datetime
    reader_user_id: int
    reader_organisation_id: int
    object_type: str
    object_id: str
    action: str
    path: str


class AccessLogPage(Page):
    items: list[AccessLogRead]


class PlanCreate(BaseModel):
    name: PlainText = Field(min_length=1, max_length=200)
    categories: list[ProductCategory] = Field(default_factory=list, max_length=20)
    regions: list[PlainText] = Field(default_factory=list, max_length=50)
    organisation_ids: list[RowId] = Field(default_factory=list, max_length=500)
    sample_count: int = Field(ge=1, le=10_000)
    seed: PlainText | None = Field(default=None, min_length=1, max_length=64)
    method: PlanMethod = PlanMethod.SIMPLE
    stratify_by: StratifyBy | None = None
    weights: dict[RowId, Weight] = Field(
        default_factory=dict,
        max_length=10_000,
        description="product id → weight ≥ 0 (risk_weighted only)",
    )
    objection_period_days: int = Field(default=15, ge=1, le=365)


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    name: str
    categories: list[str]
    regions: list[str]
    organisation_ids: list[int]
    sample_count: int
    seed: str
    method: PlanMethod
    stratify_by: str
    weights: dict[str, float]
    objection_period_days: int
    status: PlanStatus
    candidates: list[dict[str, Any]]
    selected_ids: list[int]
    drawn_at: datetime | None
    created_at: datetime


class PlanPage(Page):
    items: list[PlanRead]


class DrawCheck(BaseModel):
    plan_id: int
    matches: bool
    recorded: list[int]
    recreated: list[int]


class SampleIn(BaseModel):
    sampled_at: AwareDatetime
    sample_place: PlainText = Field(default="", max_length=200)
    live_session_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    live_room: PlainText = Field(default="", max_length=200)
    order_number: PlainText = Field(default="", max_length=64)
    batch: PlainText = Field(default="", max_length=64)
    sample_quantity: PlainText = Field(default="", max_length=64)
    holder: PlainText = Field(
        min_length=1, max_length=200, description="who holds the sample first (custody)"
    )


class CustodyIn(BaseModel):
    holder: PlainText = Field(min_length=1, max_length=200)
    held_from: AwareDatetime
    note: PlainText = Field(default="", max_length=500)


class CustodyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    holder: str
    held_from: datetime
    note: str


class TestItemIn(BaseModel):
    __test__ = False  # not a pytest class

    name: PlainText = Field(min_length=1, max_length=200)
    limit: PlainText = Field(default="", max_length=200)
    result: PlainText = Field(default="", max_length=200)
    unit: PlainText = Field(default="", max_length=64)
    method: PlainText = Field(default="", max_length=200)


class ResultsIn(BaseModel):
    lab_name: PlainText = Field(min_length=1, max_length=200)
    report_number: PlainText = Field(default="", max_length=64)
    tested_at: AwareDatetime
    items: list[TestItemIn] = Field(min_length=1, max_length=200)


class TestItemRead(BaseModel):
    __test__ = False

    model_config = ConfigDict(from_attributes=True)

    name: str
    limit_text: str
    result_text: str
    unit: str
    method: str
    verdict: str
    reason: str


class CheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    plan_id: int | None
    subject_organisation_id: int
    product_id: int
    status: CheckStatus
    sampled_at: datetime | None
    sample_place: str
    live_session_id: int | None
    live_room: str
    order_number: str
    batch: str
    sample_quantity: str
    lab_name: str
    report_number: str
    tested_at: datetime | None
    verdict: str
    verdict_reasons: list[str]
    concluded_at: datetime | None
    notified_at: datetime | None
    objection_deadline: datetime | None
    follow_up: dict[str, Any]
    custody: list[CustodyRead]
    items: list[TestItemRead]


class CheckPage(Page):
    items: list[CheckRead]


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    spot_check_id: int
    regulator_organisation_id: int
    kind: str
    message: str
    created_at: datetime
    read_at: datetime | None


class NoticePage(Page):
    items: list[NoticeRead]


class ObjectionIn(BaseModel):
    reason: PlainText = Field(min_length=1, max_length=5000)


class ObjectionDecision(BaseModel):
    accept: bool = Field(description="true: the re-inspection overturns the failed result")
    note: PlainText = Field(min_length=1, max_length=5000)


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    spot_check_id: int
    regulator_organisation_id: int
    reason: str
    status: ObjectionStatus
    filed_at: datetime
    decided_at: datetime | None
    decision_note: str


class ObjectionPage(Page):
    items: list[ObjectionRead]


class PublicationCreate(BaseModel):
    kind: PublicationKind
    spot_check_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    title: PlainText = Field(default="", max_length=300)
    body: PlainText = Field(default="", max_length=20_000)


class PublicationUpdate(BaseModel):
    title: PlainText | None = Field(default=None, min_length=1, max_length=300)
    body: PlainText | None = Field(default=None, max_length=20_000)


class CorrectionIn(BaseModel):
    title: PlainText | None = Field(default=None, min_length=1, max_length=300)
    body: PlainText = Field(min_length=1, max_length=20_000, description="what was corrected")
    data: dict[str, Any] | None = Field(default=None, description="corrected result fields")


class PublicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    kind: PublicationKind
    spot_check_id: int | None
    title: str
    body: str
    data: dict[str, Any]
    status: PublicationStatus
    published_at: datetime | None
    corrects_id: int | None
    created_at: datetime


class PublicationPage(Page):
    items: list[PublicationRead]


class PublicEntry(BaseModel):
    """A published record as anyone sees it."""

    id: int
    kind: PublicationKind
    title: str
    body: str
    regulator: str
    published_at: datetime
    data: dict[str, Any]
    corrects_id: int | None
    corrected_by_id: int | None


class PublicPage(Page):
    items: list[PublicEntry]


class ComplaintView(BaseModel):
    """An escalated complaint as a regulator or consumer association sees it (no contact data)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    product_id: int | None
    category: str
    status: str
    received_at: datetime
    escalated_at: datetime | None
    escalated_to_id: int | None
    description: str


class ComplaintViewPage(Page):
    items: list[ComplaintView]


class RiskInput(BaseModel):
    input: str
    count: int
    points_each: float
    points: float


class RiskRead(BaseModel):
    """A risk score and the inputs it is made of."""

    id: int
    subject: str
    name: str
    organisation_id: int
    score: float
    inputs: list[RiskInput]


class RiskPage(Page):
    items: list[RiskRead]
