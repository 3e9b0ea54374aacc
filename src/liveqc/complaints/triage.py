"""Triage of a new complaint: the classifier's category, refined by the advertising and price
claims the organisation's compliance engine finds in what the consumer wrote.

The consumer's words are scanned as a comment; the claims found (code and matched text) are kept
on the complaint so staff see what the consumer says was promised. They only refine a vague
category (``other``, ``quality_defect``); a safety incident or a counterfeit stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.complaints.classify import ComplaintCategory, classify
from liveqc.db import tenancy
from liveqc.db.tenancy import bypass_tenancy
from liveqc.products.models import Product

#: Engine codes that are advertising claims (Advertising Law) and price claims.
ADVERTISING_CODES = frozenset(
    {"absolute_term", "efficacy_unsupported", "medical_claim", "guarantee_claim"}
)
PRICE_CODES = frozenset({"price_fraud"})
#: Classifier categories the claims may refine; safety and counterfeit are never overridden.
REFINABLE = (ComplaintCategory.OTHER, ComplaintCategory.QUALITY_DEFECT)


@contextmanager
def acting_for(session: Session, organisation_id: int) -> Iterator[None]:
    """Run inside ``organisation_id``'s tenancy without any bypass the caller (the public
    intake) may hold, then restore the caller's tenancy."""
    saved_org = tenancy.current_organisation(session)
    saved_bypass = session.info.pop(tenancy.BYPASS_KEY, None)
    tenancy.set_organisation(session, organisation_id)
    try:
        yield
    finally:
        tenancy.set_organisation(session, saved_org)
        if saved_bypass is not None:
            session.info[tenancy.BYPASS_KEY] = saved_bypass


def scan_claims(
    session: Session, *, organisation_id: int, text: str, product_category: str | None
) -> list[dict[str, Any]]:
    """Advertising and price claims the consumer reports, found by the organisation's
    compliance engine (its dictionary included): ``[{"code", "match"}]`` in text order."""
    from liveqc.compliance.service import engine_for

    with acting_for(session, organisation_id):
        engine = engine_for(session, organisation_id)
    result = engine.check(text, category=product_category, scene="comment")
    claims: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for finding in result.findings:
        key = (finding.code, finding.match)
        if finding.code in ADVERTISING_CODES | PRICE_CODES and key not in seen:
            seen.add(key)
            claims.append({"code": finding.code, "match": finding.match})
    return claims


def suggest_from_claims(
    category: ComplaintCategory, claims: list[dict[str, Any]]
) -> tuple[ComplaintCategory, str | None]:
    """The triage category given the claims, and the reason when they changed it."""
    if category not in REFINABLE:
        return category, None
    codes = {claim["code"] for claim in claims}
    if codes & PRICE_CODES:
        return ComplaintCategory.PRICE_DISPUTE, "claims: price_fraud -> price_dispute"
    advertising = sorted(codes & ADVERTISING_CODES)
    if advertising:
        return (
            ComplaintCategory.FALSE_ADVERTISING,
            f"claims: {', '.join(advertising)} -> false_advertising",
        )
    return category, None


def triage(
    session: Session, *, organisation_id: int, text: str, product_id: int | None
) -> tuple[ComplaintCategory, bool, list[Any], list[dict[str, Any]]]:
    """Category, urgency, reasons and claims of a new complaint: the classifier, refined by
    the advertising and price claims the compliance engine finds in the text."""
    result = classify(text)
    product_category = None
    if product_id is not None:
        with bypass_tenancy(session, reason="product category for complaint triage", quiet=True):
            found = session.scalar(select(Product.category).where(Product.id == product_id))
        product_category = str(found) if found is not None else None
    claims = scan_claims(
        session, organisation_id=organisation_id, text=text, product_category=product_category
    )
    category, reason = suggest_from_claims(ComplaintCategory(result.category), claims)
    reasons = list(result.reasons) + ([reason] if reason else [])
    return category, result.urgent, reasons, claims
