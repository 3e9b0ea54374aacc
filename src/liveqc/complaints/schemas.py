"""Pydantic I/O for complaints: intake, staff reads (masked or full), actions, public status."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from liveqc.complaints.classify import ComplaintCategory
from liveqc.complaints.models import AlertKind, ComplaintStatus, Remedy
from liveqc.db.types import PlainText

MAX_ID = 2_147_483_647
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)]


class ComplaintCreate(BaseModel):
    """What a consumer (or staff taking a call) files."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: int | None = Field(
        default=None, gt=0, le=MAX_ID, description="The agency (optional when product_id is set)"
    )
    product_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    live_session_id: int | None = Field(default=None, gt=0, le=MAX_ID)
    room_reference: PlainText = Field(default="", max_length=200)
    host_name: PlainText = Field(default="", max_length=100)
    batch: PlainText = Field(default="", max_length=64, description="Batch/lot number")
    contact_phone: PlainText = Field(default="", max_length=32)
    contact_email: PlainText = Field(default="", max_length=254)
    order_number: PlainText = Field(default="", max_length=64)
    platform: PlainText = Field(default="", max_length=32)
    purchase_date: dt.date | None = None
    price_paid: Money | None = None
    description: PlainText = Field(min_length=5, max_length=5000)
    desired_remedy: Remedy | None = None

    @field_validator("contact_phone", "contact_email", "order_number", "platform", "batch")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not _PHONE.match(value):
            raise ValueError("not a phone number")
        return value.replace(" ", "").replace("-", "")

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError("not an email address")
        return value.lower()

    @field_validator("purchase_date")
    @classmethod
    def _not_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("purchase date is in the future")
        if value is not None and value.year < 2000:
            raise ValueError("purchase date is too far in the past")
        return value

    @model_validator(mode="after")
    def _contact_and_target(self) -> ComplaintCreate:
        if not (self.contact_phone or self.contact_email):
            raise ValueError("give a contact phone or email")
        if self.product_id is None and self.organisation_id is None:
            raise ValueError("choose the product or the agency (organisation_id)")
        return self


class CompensationRead(BaseModel):
    rule: str
    basis: str
    amount: Decimal
    explanation: str


class ComplaintRead(BaseModel):
    """A complaint as staff see it; contact and order are masked unless the role allows."""

    id: int
    organisation_id: int
    tracking_code: str | None
    contact_phone: str
    contact_email: str
    order_number: str
    is_pii_masked: bool
    platform: str
    product_id: int | None
    live_session_id: int | None
    room_reference: str
    host_name: str
    batch: str
    purchase_date: dt.date | None
    price_paid: Decimal | None
    received_at: dt.datetime
    description: str
    desired_remedy: Remedy | None
    category: ComplaintCategory
    category_source: str
    classifier_reasons: list[Any] | None
    claims: list[Any] | None
    is_urgent: bool
    is_safety_confirmed: bool
    status: ComplaintStatus
    first_response_due: dt.date
    resolution_due: dt.date
    working_days_left: int | None
    is_overdue: bool
    overdue_escalated_at: dt.datetime | None
    remedy: Remedy | None
    remedy_amount: Decimal | None
    rejection_reason: str
    reopen_count: int
    escalated_to_id: int | None
    escalated_at: dt.datetime | None
    duplicate_of_id: int | None
    attachment_ids: list[int]
    compensation: list[CompensationRead]


class ComplaintPage(BaseModel):
    items: list[ComplaintRead]
    total: int
    limit: int
    offset: int


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(default="", max_length=2000)


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(min_length=2, max_length=2000)


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    remedy: Remedy
    amount: Money | None = None
    note: PlainText = Field(default="", max_length=2000)


class EscalateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int = Field(gt=0, le=MAX_ID, description="A regulator or consumer association")
    reason: PlainText = Field(default="", max_length=2000)


class ReclassifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: ComplaintCategory
    reason: PlainText = Field(default="", max_length=2000)


class DuplicateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate_of_id: int = Field(gt=0, le=MAX_ID)


class PolicyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_response_working_days: int = Field(ge=0, le=60)
    resolution_working_days: int = Field(ge=0, le=60)
    revetting_threshold: int = Field(ge=1, le=10_000)


class PolicyRead(PolicyUpdate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    organisation_id: int


class PublicFiled(BaseModel):
    """What the consumer gets back after filing."""

    tracking_code: str
    status: ComplaintStatus
    is_duplicate: bool
    resolution_due: dt.date
    message: str


class PublicHistoryItem(BaseModel):
    at: dt.datetime
    action: str
    status: str | None


class PublicStatus(BaseModel):
    """The consumer's view: status and public history, no personal data."""

    tracking_code: str
    agency_name: str
    product_name: str | None
    category: ComplaintCategory
    status: ComplaintStatus
    received_at: dt.datetime
    first_response_due: dt.date
    resolution_due: dt.date
    remedy: Remedy | None
    remedy_amount: Decimal | None
    rejection_reason: str
    is_escalated: bool
    history: list[PublicHistoryItem]


class PublicProduct(BaseModel):
    id: int
    name: str
    brand: str
    agency_id: int
    agency_name: str


class PublicLiveSession(BaseModel):
    """A live session a consumer may have bought in: room, title and date only."""

    id: int
    room: str
    title: str
    date: dt.date
    agency_id: int
    agency_name: str


class PublicProductPage(BaseModel):
    items: list[PublicProduct]
    total: int
    sessions: list[PublicLiveSession] = []


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    kind: AlertKind
    product_id: int | None
    complaint_id: int | None
    message: str
    complaint_count: int | None
    window_days: int | None
    is_revetting_opened: bool
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class AlertPage(BaseModel):
    items: list[AlertRead]
    total: int


class SignalRow(BaseModel):
    id: str
    dimension: str
    key: str
    label: str
    window_days: int
    count: int
    rate_per_day: float
    share: float
    is_above_threshold: bool


class SignalPage(BaseModel):
    items: list[SignalRow]
    total: int
    threshold: int
