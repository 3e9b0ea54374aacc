"""Product facts: what a product's file proves, in the compliance contract's facts shape.

Derived from current documents, test reports, price history and the product row; other domains
reach it as ``liveqc.products.flows.product_facts``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from liveqc.products import service
from liveqc.products.documents import DocumentType
from liveqc.products.models import TestReport
from liveqc.products.test_reports import Verdict

#: The compliance contract's ``efficacy_evidence`` vocabulary.
EFFICACY_EVIDENCE = (
    "whitening", "freckle", "sunscreen", "anti_hair_loss", "acne", "anti_wrinkle", "moisturizing",
    "repair", "soothing", "oil_control", "firming", "sensitive_skin", "low_gi",
)  # fmt: skip
_EVIDENCE_DOCUMENTS = frozenset(
    {DocumentType.EFFICACY_EVALUATION_REPORT, DocumentType.SPECIAL_COSMETIC_REGISTRATION}
)
_HEALTH_DOCUMENTS = frozenset(
    {DocumentType.HEALTH_FOOD_REGISTRATION, DocumentType.HEALTH_FOOD_FILING}
)
_SPF = re.compile(r"(\d{1,3}(?:\.\d+)?)")
_PA = re.compile(r"PA\s*(\+{1,4})", re.IGNORECASE)


def _spf_pa(reports: list[TestReport]) -> tuple[float | int | None, str | None]:
    """SPF and PA grade measured in test reports (the latest report wins; failed items and
    failed reports do not count, a PA grade reported for information does)."""
    spf: float | int | None = None
    pa: str | None = None
    for report in reports:
        for item in report.items:
            if item.verdict is Verdict.FAIL:
                continue
            name = item.name.upper()
            if "SPF" in name or "防晒指数" in item.name:
                match = _SPF.search(item.result)
                if match:
                    value = float(match.group(1))
                    spf = int(value) if value.is_integer() else value
            elif name.startswith("PA") or "UVA" in name or "PFA" in name:
                grade = _PA.search(item.result) or re.fullmatch(r"\s*(\+{1,4})\s*", item.result)
                if grade:
                    pa = grade.group(1)
    return spf, pa


def product_facts(
    session: Session, product_id: int, *, at: datetime | None = None
) -> dict[str, Any]:
    """What the file proves about a product, in the compliance contract's facts shape.

    Registrations and evidence come from documents current at ``at`` (default now) and from
    passing test reports; absent fields mean "not known".
    """
    product = service.get_product_or_raise(session, product_id)
    today = service.today_in_china(at)
    current = [
        d
        for d in service.product_documents(session, product)
        if (d.valid_to is None or d.valid_to >= today)
        and (d.valid_from is None or d.valid_from <= today)
    ]
    reports = service.list_test_reports(session, product.id)
    passing = [r for r in reports if r.verdict is Verdict.PASS]
    evidence = {c for d in current if d.type in _EVIDENCE_DOCUMENTS for c in d.claims}
    evidence |= {c for r in passing for c in r.efficacy_claims}
    facts: dict[str, Any] = {
        "category": product.category.value,
        "registrations": sorted({d.type.registration for d in current if d.type.registration}),
        "efficacy_evidence": [e for e in EFFICACY_EVIDENCE if e in evidence],
        "made_to_order": product.made_to_order,
    }
    if product.brand:
        facts["brand"] = product.brand
    functions = [c for d in current if d.type in _HEALTH_DOCUMENTS for c in d.claims]
    if product.category.value == "health_food" or functions:
        facts["health_functions"] = list(dict.fromkeys(functions))
    spf, pa = _spf_pa([r for r in reports if r.verdict is not Verdict.FAIL])
    if spf is not None:
        facts["spf"] = spf
    if pa is not None:
        facts["pa"] = pa
    lowest = service.lowest_price_7d(session, product.id, at)
    if lowest is not None:
        facts["lowest_price_7d"] = float(lowest)
    if product.stock_remaining is not None:
        facts["stock_remaining"] = product.stock_remaining
    lo, hi = product.target_age_min_months, product.target_age_max_months
    if lo is not None or hi is not None:
        facts["target_age_months"] = [lo if lo is not None else 0, hi]
    return facts
