"""Drawing a plan's sample from the products on sale under the regulator's jurisdiction, and
re-checking a recorded draw."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Organisation
from liveqc.accounts.service import Principal
from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition
from liveqc.events.service import record
from liveqc.products.models import Product
from liveqc.spot_checks import draw as drawing
from liveqc.spot_checks import jurisdiction, service
from liveqc.spot_checks.models import PlanMethod, PlanStatus, SpotCheck, SpotCheckPlan
from liveqc.spot_checks.schemas import DrawCheck

#: Product statuses that are on sale, so may be drawn.
ON_SALE = ("approved", "approved_with_conditions")
#: Categories the simple risk score treats as higher risk (health and safety of consumers).
HIGH_RISK_CATEGORIES = frozenset(
    {"food", "health_food", "cosmetics", "baby", "toy", "medical_device", "drug"}
)


def _candidates(session: Session, plan: SpotCheckPlan) -> list[drawing.Candidate]:
    cover = jurisdiction.coverage(session, plan.organisation_id)
    query = select(Product).where(cover.product_filter(), Product.status.in_(ON_SALE))
    if plan.categories:
        query = query.where(Product.category.in_(plan.categories))
    org_ids = set(plan.organisation_ids)
    if plan.regions:
        orgs = session.scalars(select(Organisation).where(Organisation.id.in_(cover.organisations)))
        in_region = {
            o.id
            for o in orgs
            if any(jurisdiction.region_matches(o.region, r) for r in plan.regions)
        }
        org_ids = org_ids & in_region if org_ids else in_region
        query = query.where(Product.organisation_id.in_(sorted(org_ids)))
    elif org_ids:
        query = query.where(Product.organisation_id.in_(sorted(org_ids)))
    products = list(session.scalars(query.order_by(Product.id)))
    weights = _weights(session, plan, products)
    return [
        drawing.Candidate(
            p.id,
            service.stratum_of(
                plan.stratify_by, category=str(p.category), organisation_id=p.organisation_id
            ),
            weights.get(p.id, 1.0),
        )
        for p in products
    ]


def risk_score(category: str, failed_checks: int) -> float:
    """The simple score of a product: 1, +1 for a high-risk category, +2 per failed check."""
    return 1.0 + (1.0 if category in HIGH_RISK_CATEGORIES else 0.0) + 2.0 * failed_checks


def _weights(session: Session, plan: SpotCheckPlan, products: list[Product]) -> dict[int, float]:
    if plan.method is not PlanMethod.RISK_WEIGHTED:
        return {}
    if plan.weights:
        return {p.id: float(plan.weights.get(str(p.id), 1.0)) for p in products}
    failed = dict(
        session.execute(
            select(SpotCheck.product_id, func.count(SpotCheck.id))
            .where(SpotCheck.verdict == "fail")
            .group_by(SpotCheck.product_id)
        ).all()
    )
    return {p.id: risk_score(str(p.category), int(failed.get(p.id, 0))) for p in products}


def draw_plan(
    session: Session, *, plan: SpotCheckPlan, principal: Principal, path: str = ""
) -> SpotCheckPlan:
    """Draw the sample of a draft plan from the products on sale under its jurisdiction, and
    create one spot check per drawn product. The candidate list and seed are recorded."""
    if plan.status is not PlanStatus.DRAFT:
        raise InvalidTransition(f"plan {plan.id} is {plan.status.value}; draw needs draft")
    with jurisdiction.regulator_scope(session, principal, path=path) as scope:
        candidates = _candidates(session, plan)
        result = drawing.draw(
            candidates, n=plan.sample_count, seed=plan.seed, method=plan.method.value
        )
        owners = dict(
            session.execute(
                select(Product.id, Product.organisation_id).where(
                    Product.id.in_([c.id for c in candidates])
                )
            ).all()
        )
        for c in candidates:
            scope.log_ref("products", c.id, owner_id=owners[c.id], action="draw")
    plan.candidates = [{"id": c.id, "stratum": c.stratum, "weight": c.weight} for c in candidates]
    plan.selected_ids = list(result.selected)
    plan.status = PlanStatus.DRAWN
    plan.drawn_at = utcnow()
    for product_id in result.selected:
        session.add(
            SpotCheck(
                organisation_id=plan.organisation_id,
                plan_id=plan.id,
                subject_organisation_id=owners[product_id],
                product_id=product_id,
                follow_up={},
                verdict_reasons=[],
            )
        )
    session.flush()
    record(
        session,
        principal.user,
        plan.organisation_id,
        plan,
        "draw",
        {"status": PlanStatus.DRAFT},
        {
            "status": plan.status,
            "seed": plan.seed,
            "candidates": len(candidates),
            "selected": plan.selected_ids,
            "allocation": result.allocation,
            "shortfall": result.shortfall,
        },
    )
    return plan


def verify_draw(plan: SpotCheckPlan) -> DrawCheck:
    """Re-create the draw from the recorded seed and candidates and compare the selection."""
    if plan.status is PlanStatus.DRAFT:
        raise InvalidTransition(f"plan {plan.id} has not been drawn yet")
    candidates = [
        drawing.Candidate(int(c["id"]), str(c.get("stratum", "")), float(c.get("weight", 1.0)))
        for c in plan.candidates
    ]
    matches, again = drawing.verify(
        candidates,
        n=plan.sample_count,
        seed=plan.seed,
        method=plan.method.value,
        recorded=plan.selected_ids,
    )
    return DrawCheck(
        plan_id=plan.id, matches=matches, recorded=sorted(plan.selected_ids), recreated=list(again)
    )
