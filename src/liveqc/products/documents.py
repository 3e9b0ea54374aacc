"""Qualification document types and the per-category requirements check.

The matrix of which documents a product needs lives in ``documents.yaml`` next to this module;
:func:`check_documents` reads it and tells a reviewer what is missing, expired, about to expire or
carries a malformed number. Pure: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from liveqc.errors import ConfigurationError, ValidationFailed
from liveqc.products import validators as v

MATRIX_PATH = Path(__file__).with_name("documents.yaml")
DEFAULT_EXPIRING_WITHIN_DAYS = 30


class Category(StrEnum):
    """Product categories of the compliance contract."""

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


class Condition(StrEnum):
    """Facts about a product that change which documents it needs."""

    IMPORTED = "imported"
    NOT_BRAND_OWNER = "not_brand_owner"
    WHITENING = "whitening"
    FRECKLE = "freckle"
    SUNSCREEN = "sunscreen"
    ANTI_HAIR_LOSS = "anti_hair_loss"
    HAIR_DYE = "hair_dye"
    PERM = "perm"
    NEW_EFFICACY = "new_efficacy"
    CCC_CATALOGUE = "ccc_catalogue"
    OUTSIDE_CCC_CATALOGUE = "outside_ccc_catalogue"
    PRESCRIPTION_DRUG = "prescription_drug"
    SPECIALLY_CONTROLLED_DRUG = "specially_controlled_drug"
    TOBACCO_PRODUCT = "tobacco_product"
    ORGANIC_CLAIM = "organic_claim"
    GREEN_FOOD_CLAIM = "green_food_claim"
    GEOGRAPHICAL_INDICATION_CLAIM = "geographical_indication_claim"


class DocumentType(StrEnum):
    """Kinds of qualification document a product file can hold."""

    BUSINESS_LICENSE = "business_license"
    BRAND_AUTHORIZATION = "brand_authorization"
    CCC_CERTIFICATE = "ccc_certificate"
    SPECIAL_COSMETIC_REGISTRATION = "special_cosmetic_registration"
    COSMETIC_FILING = "cosmetic_filing"
    EFFICACY_EVALUATION_REPORT = "efficacy_evaluation_report"
    SC_LICENSE = "sc_license"
    FOOD_BUSINESS_LICENSE = "food_business_license"
    HEALTH_FOOD_REGISTRATION = "health_food_registration"
    HEALTH_FOOD_FILING = "health_food_filing"
    MEDICAL_DEVICE_REGISTRATION = "medical_device_registration"
    MEDICAL_DEVICE_FILING = "medical_device_filing"
    DRUG_APPROVAL = "drug_approval"
    INSPECTION_REPORT = "inspection_report"
    CUSTOMS_DECLARATION = "customs_declaration"
    INSPECTION_CERTIFICATE = "inspection_certificate"
    ORGANIC_CERTIFICATE = "organic_certificate"
    GREEN_FOOD_CERTIFICATE = "green_food_certificate"
    GEOGRAPHICAL_INDICATION_CERTIFICATE = "geographical_indication_certificate"
    CONFORMITY_CERTIFICATE = "conformity_certificate"
    TOBACCO_MONOPOLY_LICENSE = "tobacco_monopoly_license"

    @property
    def label_zh(self) -> str:
        return _INFO[self][0]

    @property
    def label_en(self) -> str:
        return _INFO[self][1]

    @property
    def registration(self) -> str | None:
        """The compliance contract's ``registrations`` value this document proves, if any."""
        return _INFO[self][2]

    def parse_number(self, number: str, *, today: date | None = None) -> v.NumberCheck:
        """Check ``number`` against this type's format (free text where none is published)."""
        parser = _PARSERS.get(self)
        if parser is None:
            return v.parse_free_text(number, f"{self.label_en} number")
        return parser(number, today)


D = DocumentType
_INFO: dict[DocumentType, tuple[str, str, str | None]] = {
    D.BUSINESS_LICENSE: ("营业执照", "Business licence", None),
    D.BRAND_AUTHORIZATION: ("品牌授权书", "Brand authorisation", None),
    D.CCC_CERTIFICATE: ("强制性产品认证证书（CCC）", "CCC certificate", "ccc"),
    D.SPECIAL_COSMETIC_REGISTRATION: ("特殊化妆品注册证", "Special cosmetic registration",
                                      "special_cosmetic"),
    D.COSMETIC_FILING: ("普通化妆品备案", "Cosmetic filing", "cosmetic_filing"),
    D.EFFICACY_EVALUATION_REPORT: ("功效宣称评价报告", "Efficacy evaluation report", None),
    D.SC_LICENSE: ("食品生产许可证（SC）", "Food production licence (SC)", "sc_license"),
    D.FOOD_BUSINESS_LICENSE: ("食品经营许可证", "Food business licence", None),
    D.HEALTH_FOOD_REGISTRATION: ("保健食品注册证书", "Health food registration", "health_food"),
    D.HEALTH_FOOD_FILING: ("保健食品备案凭证", "Health food filing", "health_food"),
    D.MEDICAL_DEVICE_REGISTRATION: ("医疗器械注册证", "Medical device registration",
                                    "medical_device"),
    D.MEDICAL_DEVICE_FILING: ("第一类医疗器械备案凭证", "Medical device filing", "medical_device"),
    D.DRUG_APPROVAL: ("药品注册证书（国药准字）", "Drug approval", "drug"),
    D.INSPECTION_REPORT: ("检验检测报告", "Inspection report", None),
    D.CUSTOMS_DECLARATION: ("进口货物报关单", "Import customs declaration", None),
    D.INSPECTION_CERTIFICATE: ("入境货物检验检疫证明", "Entry inspection certificate", None),
    D.ORGANIC_CERTIFICATE: ("有机产品认证证书", "Organic product certificate", "organic"),
    D.GREEN_FOOD_CERTIFICATE: ("绿色食品标志使用证书", "Green food certificate", "green_food"),
    D.GEOGRAPHICAL_INDICATION_CERTIFICATE: ("地理标志产品专用标志使用核准",
                                            "Geographical indication authorisation",
                                            "geographical_indication"),
    D.CONFORMITY_CERTIFICATE: ("产品合格证明", "Certificate of conformity", None),
    D.TOBACCO_MONOPOLY_LICENSE: ("烟草专卖许可证", "Tobacco monopoly licence", None),
}  # fmt: skip

_PARSERS: dict[DocumentType, Callable[[str, date | None], v.NumberCheck]] = {
    D.BUSINESS_LICENSE: lambda n, _t: v.parse_uscc(n),
    D.CCC_CERTIFICATE: lambda n, t: v.parse_ccc_certificate(n, today=t),
    D.SPECIAL_COSMETIC_REGISTRATION: lambda n, t: v.parse_special_cosmetic_registration(n, today=t),
    D.COSMETIC_FILING: lambda n, t: v.parse_cosmetic_filing(n, today=t),
    D.SC_LICENSE: lambda n, _t: v.parse_sc_license(n),
    D.FOOD_BUSINESS_LICENSE: lambda n, _t: v.parse_food_business_license(n),
    D.HEALTH_FOOD_REGISTRATION: lambda n, t: v.parse_health_food_registration(n, today=t),
    D.HEALTH_FOOD_FILING: lambda n, t: v.parse_health_food_filing(n, today=t),
    D.MEDICAL_DEVICE_REGISTRATION: lambda n, t: v.parse_device_registration(n, today=t),
    D.MEDICAL_DEVICE_FILING: lambda n, t: v.parse_device_filing(n, today=t),
    D.DRUG_APPROVAL: lambda n, t: v.parse_drug_approval(n, today=t),
    D.CUSTOMS_DECLARATION: lambda n, _t: v.parse_customs_declaration(n),
}

#: Types whose number may be left blank (a letter of authorisation often has none).
NUMBER_OPTIONAL = frozenset({D.BRAND_AUTHORIZATION, D.CONFORMITY_CERTIFICATE})


@dataclass(frozen=True)
class Rule:
    """One line of the matrix: a requirement (``any_of`` set) or a block (empty ``any_of``)."""

    id: str
    categories: frozenset[str]
    reason: str
    basis: str
    any_of: tuple[DocumentType, ...] = ()
    when_all: frozenset[Condition] = frozenset()
    when_any: frozenset[Condition] = frozenset()
    unless: frozenset[Condition] = frozenset()

    def applies(self, category: Category, conditions: frozenset[Condition]) -> bool:
        return (
            ("*" in self.categories or category in self.categories)
            and self.when_all <= conditions
            and (not self.when_any or bool(self.when_any & conditions))
            and not self.unless & conditions
        )


@dataclass(frozen=True)
class Matrix:
    requirements: tuple[Rule, ...]
    blocks: tuple[Rule, ...]

    def required(self, category: Category, conditions: Iterable[Condition]) -> tuple[Rule, ...]:
        """The requirements that apply to a product."""
        conds = frozenset(conditions)
        return tuple(r for r in self.requirements if r.applies(category, conds))


def _rule(entry: Any, source: str, *, block: bool) -> Rule:
    if not isinstance(entry, Mapping) or not entry.get("id"):
        raise ConfigurationError(f"{source}: every entry needs an id")
    rid = str(entry["id"])

    def members(key: str, enum: type[StrEnum]) -> list[Any]:
        values = entry.get(key) or []
        try:
            return [enum(x) for x in values]
        except ValueError as exc:
            raise ConfigurationError(f"{source}: {rid}.{key}: {exc}") from None

    categories = [str(c) for c in entry.get("categories") or []]
    if not categories or not all(
        c == "*" or c in Category.__members__.values() for c in categories
    ):
        raise ConfigurationError(f"{source}: {rid}.categories: unknown or empty {categories}")
    any_of = tuple(members("any_of", DocumentType))
    if bool(any_of) == block:
        need = "must not list" if block else "must list"
        raise ConfigurationError(
            f"{source}: {rid}: a {'block' if block else 'requirement'} {need} any_of"
        )
    return Rule(
        id=rid,
        categories=frozenset(categories),
        reason=str(entry.get("reason", "")).strip(),
        basis=str(entry.get("basis", "")).strip(),
        any_of=any_of,
        when_all=frozenset(members("when_all", Condition)),
        when_any=frozenset(members("when_any", Condition)),
        unless=frozenset(members("unless", Condition)),
    )


def load_matrix(path: Path | str | None = None) -> Matrix:
    """Load and validate a requirements matrix (the packaged one by default)."""
    if path is None:
        return _default_matrix()
    return _load(Path(path))


@cache
def _default_matrix() -> Matrix:
    return _load(MATRIX_PATH)


def _load(path: Path) -> Matrix:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{path.name}: expected a mapping with requirements and blocks")
    reqs = tuple(_rule(e, path.name, block=False) for e in data.get("requirements") or [])
    blocks = tuple(_rule(e, path.name, block=True) for e in data.get("blocks") or [])
    ids = [r.id for r in (*reqs, *blocks)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigurationError(f"{path.name}: duplicate ids {dupes}")
    return Matrix(reqs, blocks)


@dataclass(frozen=True)
class DocumentRecord:
    """A document on the product file, as the checker sees it."""

    type: DocumentType
    number: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # None: no expiry (长期)
    issuer: str = ""


@dataclass(frozen=True)
class MissingDocument:
    requirement: str
    document_types: tuple[DocumentType, ...]
    reason: str
    basis: str


@dataclass(frozen=True)
class Block:
    rule: str
    reason: str
    basis: str


@dataclass(frozen=True)
class DocumentIssue:
    """A problem with one supplied document; ``index`` is its position in the input."""

    index: int
    type: DocumentType
    number: str
    reason: str
    valid_to: date | None = None
    days_left: int | None = None
    superseded: bool = False  # another current, valid document of the same type is on file


@dataclass(frozen=True)
class DocumentCheck:
    category: Category
    conditions: frozenset[Condition]
    today: date
    required: tuple[Rule, ...]
    missing: tuple[MissingDocument, ...] = ()
    expired: tuple[DocumentIssue, ...] = ()
    expiring: tuple[DocumentIssue, ...] = ()
    invalid: tuple[DocumentIssue, ...] = ()
    blocked: tuple[Block, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Nothing missing or blocked, and every expired/invalid document has a valid successor."""
        live = [i for i in (*self.expired, *self.invalid) if not i.superseded]
        return not (self.missing or self.blocked or live)


def _enum(enum: type[StrEnum], value: Any, field_name: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(enum.__members__.values())
        raise ValidationFailed(
            f"{field_name}: unknown value {value!r} (one of {allowed})"
        ) from None


def _record(doc: DocumentRecord | Mapping[str, Any], index: int) -> DocumentRecord:
    if isinstance(doc, DocumentRecord):
        return doc
    data = dict(doc)
    data["type"] = _enum(DocumentType, data.get("type"), f"documents[{index}].type")
    data["number"] = str(data.get("number") or "")
    for key in ("valid_from", "valid_to"):
        if isinstance(data.get(key), str):
            try:
                data[key] = date.fromisoformat(data[key]) if data[key].strip() else None
            except ValueError:
                raise ValidationFailed(f"documents[{index}].{key}: not a date") from None
    try:
        return DocumentRecord(**data)
    except TypeError as exc:
        raise ValidationFailed(f"documents[{index}]: {exc}") from None


_IMPORTED_ORIGINS = frozenset({"imported", "hk_macao_taiwan"})


def _number_problem(doc: DocumentRecord, imported: bool, today: date) -> tuple[str, v.NumberCheck]:
    if not doc.number.strip() and doc.type in NUMBER_OPTIONAL:
        return "", v.NumberCheck(True, doc.type.label_en, "")
    check = doc.type.parse_number(doc.number, today=today)
    if not check.ok:
        return check.reason, check
    origin = check.parts.get("origin")
    if origin and imported and origin not in _IMPORTED_ORIGINS:
        return f"{check.kind} {check.value!r} is a domestic number on an imported product", check
    if origin in _IMPORTED_ORIGINS and not imported:
        return f"{check.kind} {check.value!r} is an import number; mark the product imported", check
    return "", check


def check_documents(
    category: Category | str,
    conditions: Iterable[Condition | str],
    documents: Iterable[DocumentRecord | Mapping[str, Any]],
    today: date,
    *,
    expiring_within_days: int = DEFAULT_EXPIRING_WITHIN_DAYS,
    matrix: Matrix | None = None,
) -> DocumentCheck:
    """Check a product's documents against the requirements for its category and conditions.

    A document is expired when ``valid_to`` is before ``today`` and expiring when it ends within
    ``expiring_within_days`` days (a document ending today is still valid, with 0 days left).

    Raises:
        ValidationFailed: unknown category, condition or document type, or contradictory conditions.
    """
    cat = _enum(Category, category, "category")
    conds = frozenset(_enum(Condition, c, "conditions") for c in conditions)
    if {Condition.CCC_CATALOGUE, Condition.OUTSIDE_CCC_CATALOGUE} <= conds:
        raise ValidationFailed("conditions: ccc_catalogue and outside_ccc_catalogue contradict")
    if expiring_within_days < 0:
        raise ValidationFailed("expiring_within_days: must not be negative")
    matrix = matrix or load_matrix()
    records = [_record(d, i) for i, d in enumerate(documents)]
    imported = Condition.IMPORTED in conds

    expired: list[DocumentIssue] = []
    expiring: list[DocumentIssue] = []
    invalid: list[DocumentIssue] = []
    notes: list[str] = []
    current_types: set[DocumentType] = set()
    for i, doc in enumerate(records):
        problem, check = _number_problem(doc, imported, today)
        notes.extend(f"documents[{i}]: {n}" for n in check.notes)
        number = check.value or doc.number
        if not problem and doc.valid_from and doc.valid_to and doc.valid_to < doc.valid_from:
            problem = f"valid_to {doc.valid_to} is before valid_from {doc.valid_from}"
        if not problem and doc.valid_from and doc.valid_from > today:
            problem = f"not valid before {doc.valid_from}"
        if problem:
            invalid.append(DocumentIssue(i, doc.type, number, problem, doc.valid_to))
            continue
        if doc.valid_to is None:
            current_types.add(doc.type)
            continue
        days_left = (doc.valid_to - today).days
        if days_left < 0:
            reason = f"{doc.type.label_en} expired on {doc.valid_to} ({-days_left} days ago)"
            expired.append(DocumentIssue(i, doc.type, number, reason, doc.valid_to, days_left))
            continue
        current_types.add(doc.type)
        if days_left <= expiring_within_days:
            reason = f"{doc.type.label_en} expires on {doc.valid_to} ({days_left} days left)"
            expiring.append(DocumentIssue(i, doc.type, number, reason, doc.valid_to, days_left))

    def mark(issues: list[DocumentIssue]) -> tuple[DocumentIssue, ...]:
        return tuple(
            DocumentIssue(**{**vars(x), "superseded": x.type in current_types}) for x in issues
        )

    present = {d.type for d in records}
    required = matrix.required(cat, conds)
    missing = tuple(
        MissingDocument(r.id, r.any_of, r.reason, r.basis)
        for r in required
        if not present & set(r.any_of)
    )
    blocked = tuple(Block(b.id, b.reason, b.basis) for b in matrix.blocks if b.applies(cat, conds))
    return DocumentCheck(
        category=cat,
        conditions=conds,
        today=today,
        required=required,
        missing=missing,
        expired=mark(expired),
        expiring=tuple(expiring),
        invalid=mark(invalid),
        blocked=blocked,
        notes=tuple(notes),
    )
