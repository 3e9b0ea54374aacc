"""Pydantic I/O for scans, stored findings, dictionaries and the rule catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from liveqc.compliance.models import EntryKind, FindingStatus
from liveqc.db.types import PlainText
from liveqc.engine import CATEGORIES, CODES, SCENES, Facts, InvalidFacts
from liveqc.engine.taxonomy import SEVERITIES

#: Most utterances one scan request may carry.
MAX_BATCH = 1000
#: Longest text of one utterance (a whole pasted script fits).
MAX_TEXT = 50_000

UtteranceId = Annotated[str, Field(max_length=200)] | int


def _category(value: str | None) -> str | None:
    if value is not None and value not in CATEGORIES:
        raise ValueError(f"unknown category {value!r}; one of {', '.join(sorted(CATEGORIES))}")
    return value


def _scene(value: str | None) -> str | None:
    if value is not None and value not in SCENES:
        raise ValueError(f"unknown scene {value!r}; one of {', '.join(sorted(SCENES))}")
    return value


def _facts(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is not None:
        try:
            Facts.from_dict(value)
        except InvalidFacts as exc:
            raise ValueError(str(exc)) from None
    return value


class _Context(BaseModel):
    """Category, product facts and scene an utterance is judged with."""

    category: str | None = None
    facts: dict[str, Any] | None = None
    scene: str | None = None

    _check_category = field_validator("category")(_category)
    _check_scene = field_validator("scene")(_scene)
    _check_facts = field_validator("facts")(_facts)


class UtteranceIn(_Context):
    model_config = ConfigDict(extra="forbid")

    id: UtteranceId | None = Field(
        default=None, description="Echoed back; default: 1-based position"
    )
    text: PlainText = Field(max_length=MAX_TEXT)


class ScanRequest(_Context):
    """One utterance (``text``) or a batch (``utterances``); top-level context is the default."""

    model_config = ConfigDict(extra="forbid")

    id: UtteranceId | None = None
    text: PlainText | None = Field(default=None, max_length=MAX_TEXT)
    utterances: list[UtteranceIn] | None = Field(default=None, min_length=1, max_length=MAX_BATCH)
    store: bool = Field(default=False, description="Store the scans and their findings")
    source_type: str = Field(default="adhoc", pattern=r"^[a-z][a-z_]{0,31}$")
    source_id: PlainText | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_form(self) -> ScanRequest:
        if (self.text is None) == (self.utterances is None):
            raise ValueError("send either 'text' (one utterance) or 'utterances' (a batch)")
        return self


class FindingOut(BaseModel):
    """A finding in the contract's JSON shape."""

    code: str
    rule: str
    severity: str
    start: int
    end: int
    match: str
    basis: str
    message: str
    suggestion: str


class ScanItemOut(BaseModel):
    id: str | int
    findings: list[FindingOut]
    scan_id: int | None = None


class ScanOneOut(ScanItemOut):
    version: str
    catalogue_version: str


class ScanBatchOut(BaseModel):
    results: list[ScanItemOut]
    total: int
    version: str
    catalogue_version: str


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scan_id: int
    position: int
    code: str
    rule: str
    severity: str
    start: int
    end: int
    match: str
    basis: str
    message: str
    suggestion: str
    catalogue_version: str
    status: FindingStatus
    status_reason: str
    status_by_id: int | None
    status_at: datetime | None
    created_at: datetime


class FindingPage(BaseModel):
    items: list[FindingRead]
    total: int
    limit: int
    offset: int


class ScanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    source_type: str
    source_id: str | None
    scene: str
    category: str | None
    facts: dict[str, Any] | None
    catalogue_version: str
    created_by_id: int | None
    text: str
    finding_count: int
    created_at: datetime


class ScanDetail(ScanRead):
    findings: list[FindingRead]


class ScanPage(BaseModel):
    items: list[ScanRead]
    total: int
    limit: int
    offset: int


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: PlainText = Field(min_length=1, max_length=2000)


def _code(value: str | None) -> str | None:
    if value is not None and value not in CODES:
        raise ValueError(f"unknown violation code {value!r}")
    return value


def _severity(value: str | None) -> str | None:
    if value is not None and value not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    return value


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EntryKind
    phrase: PlainText = Field(min_length=1, max_length=100)
    code: str | None = Field(default=None, description="Violation code (banned phrases only)")
    severity: str | None = Field(default=None, description="high, medium (default) or low")
    note: PlainText = Field(default="", max_length=500)

    _check_code = field_validator("code")(_code)
    _check_severity = field_validator("severity")(_severity)


class EntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    severity: str | None = None
    note: PlainText | None = Field(default=None, max_length=500)
    is_active: bool | None = None

    _check_code = field_validator("code")(_code)
    _check_severity = field_validator("severity")(_severity)


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EntryKind
    phrase: str
    code: str | None
    severity: str | None
    note: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class EntryPage(BaseModel):
    items: list[EntryRead]
    total: int
    #: The organisation's dictionary version (bumped by every change).
    version: int


class DisabledRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: PlainText = Field(min_length=1, max_length=200, description="Rule id or pack/id")
    reason: PlainText = Field(default="", max_length=500)


class DisabledRuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule: str
    reason: str
    created_at: datetime


class DisabledRulePage(BaseModel):
    items: list[DisabledRuleRead]
    total: int


class RuleRead(BaseModel):
    id: str
    key: str
    pack: str
    code: str
    severity: str
    basis: str
    message: str
    suggestion: str
    categories: list[str] | None
    scenes: list[str] | None


class RulePage(BaseModel):
    items: list[RuleRead]
    total: int
