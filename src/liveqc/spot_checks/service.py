"""Spot-check queries and single-entity changes (session first, never commits).

A regulator sees its own plans, checks and publications through ordinary tenancy. The inspected
agency sees the checks of its own products through :func:`subject_view`, a logged bypass limited
to ``subject_organisation_id``; its notices, objections and access log are its own rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from liveqc.accounts.models import Organisation, OrganisationKind
from liveqc.accounts.service import Principal
from liveqc.db import tenancy
from liveqc.errors import NotFound, ValidationFailed
from liveqc.events.service import record
from liveqc.products.models import ProductCategory
from liveqc.spot_checks import jurisdiction
from liveqc.spot_checks.models import (
    AccessLog,
    CustodyEntry,
    Notice,
    Objection,
    PlanMethod,
    Publication,
    PublicationStatus,
    SpotCheck,
    SpotCheckPlan,
    StratifyBy,
)
from liveqc.spot_checks.schemas import CustodyIn, PlanCreate


def page(session: Session, query: Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``query`` ordered by id, and the total."""
    entity = query.column_descriptions[0]["entity"]
    total = session.scalar(query.with_only_columns(func.count(entity.id)).order_by(None)) or 0
    rows = session.scalars(query.order_by(entity.id).limit(limit).offset(offset))
    return list(rows), total


def is_regulator(principal: Principal) -> bool:
    return principal.organisation.kind is OrganisationKind.REGULATOR


@contextmanager
def subject_view(session: Session, principal: Principal) -> Iterator[None]:
    """Let an inspected organisation read the checks of its own products."""
    if is_regulator(principal):
        yield
        return
    reason = f"spot checks of organisation {principal.organisation.id}"
    with tenancy.bypass_tenancy(session, reason=reason, actor_user_id=principal.user.id):
        yield


def checks_query(principal: Principal) -> Select[Any]:
    query = select(SpotCheck).options(
        selectinload(SpotCheck.custody), selectinload(SpotCheck.items)
    )
    if not is_regulator(principal):
        query = query.where(SpotCheck.subject_organisation_id == principal.organisation.id)
    return query


# -- plans -----------------------------------------------------------------------------------


def create_plan(session: Session, *, data: PlanCreate, principal: Principal) -> SpotCheckPlan:
    """A draft plan of the principal's regulator; the seed is generated when not given."""
    jurisdiction.require_regulator(principal)
    if data.method is PlanMethod.STRATIFIED and data.stratify_by is None:
        raise ValidationFailed("stratify_by: required for a stratified plan")
    if data.weights and data.method is not PlanMethod.RISK_WEIGHTED:
        raise ValidationFailed("weights: only a risk_weighted plan takes weights")
    plan = SpotCheckPlan(
        name=data.name,
        categories=sorted({c.value for c in data.categories}),
        regions=[jurisdiction.normalise_region(r) for r in data.regions],
        organisation_ids=sorted(set(data.organisation_ids)),
        sample_count=data.sample_count,
        seed=data.seed if data.seed else secrets.token_hex(8),
        method=data.method,
        stratify_by=data.stratify_by.value if data.stratify_by else "",
        weights={str(k): float(v) for k, v in sorted(data.weights.items())},
        objection_period_days=data.objection_period_days,
        candidates=[],
        selected_ids=[],
    )
    session.add(plan)
    session.flush()
    record(
        session,
        principal.user,
        plan.organisation_id,
        plan,
        "create",
        None,
        {"name": plan.name, "seed": plan.seed, "method": plan.method, "n": plan.sample_count},
    )
    return plan


def get_plan_or_raise(session: Session, plan_id: int) -> SpotCheckPlan:
    plan = session.scalars(select(SpotCheckPlan).where(SpotCheckPlan.id == plan_id)).first()
    if plan is None:
        raise NotFound(f"spot-check plan {plan_id} does not exist")
    return plan


def list_plans(session: Session, *, limit: int, offset: int) -> tuple[list[SpotCheckPlan], int]:
    return page(session, select(SpotCheckPlan), limit=limit, offset=offset)


# -- checks ----------------------------------------------------------------------------------


def list_checks(
    session: Session,
    *,
    principal: Principal,
    limit: int = 50,
    offset: int = 0,
    plan_id: int | None = None,
    status: str | None = None,
) -> tuple[list[SpotCheck], int]:
    query = checks_query(principal)
    if plan_id is not None:
        query = query.where(SpotCheck.plan_id == plan_id)
    if status is not None:
        query = query.where(SpotCheck.status == status)
    with subject_view(session, principal):
        return page(session, query, limit=limit, offset=offset)


def get_check_or_raise(session: Session, check_id: int, *, principal: Principal) -> SpotCheck:
    """A check of the principal's regulator, or of the principal's own products."""
    with subject_view(session, principal):
        check = session.scalars(checks_query(principal).where(SpotCheck.id == check_id)).first()
        if check is not None:
            _ = check.custody, check.items  # load while the view is open
    if check is None:
        raise NotFound(f"spot check {check_id} does not exist")
    return check


def checks_of(
    session: Session, *, regulator_id: int, plan_id: int | None = None
) -> list[SpotCheck]:
    """A regulator's checks in id order (system use: the caller has opened a bypass)."""
    query = select(SpotCheck).where(SpotCheck.organisation_id == regulator_id)
    if plan_id is not None:
        query = query.where(SpotCheck.plan_id == plan_id)
    return list(session.scalars(query.order_by(SpotCheck.id)))


def add_custody(session: Session, *, check: SpotCheck, data: CustodyIn, actor: Any) -> CustodyEntry:
    entry = CustodyEntry(
        organisation_id=check.organisation_id,
        holder=data.holder,
        held_from=data.held_from,
        note=data.note,
        recorded_by_user_id=getattr(actor, "id", None),
    )
    check.custody.append(entry)
    session.flush()
    record(
        session,
        actor,
        check.organisation_id,
        check,
        "custody",
        None,
        {"holder": entry.holder, "held_from": entry.held_from},
    )
    return entry


def product_snapshot(
    session: Session,
    check: SpotCheck,
    *,
    reader: Principal | None = None,
    path: str = "",
    action: str = "read",
) -> dict[str, Any]:
    """Product, brand, supplier and agency names of a check.

    When ``reader`` belongs to another organisation than the product (the regulator), the read
    is written to the product owner's access log.
    """
    from liveqc.products.models import Product

    with tenancy.bypass_tenancy(session, reason="spot-check product details", quiet=True):
        product = session.get(Product, check.product_id)
        agency = session.get(Organisation, check.subject_organisation_id)
        if product is None:
            return {"product": "", "brand": "", "supplier": "", "agency": ""}
        if reader is not None and reader.organisation.id != product.organisation_id:
            session.add(
                AccessLog(
                    organisation_id=product.organisation_id,
                    reader_user_id=reader.user.id,
                    reader_organisation_id=reader.organisation.id,
                    object_type="products",
                    object_id=str(product.id),
                    action=action,
                    path=path[:300],
                )
            )
            session.flush()
        return {
            "product": product.name,
            "sku": product.sku,
            "brand": product.brand,
            "category": ProductCategory(product.category).value,
            "specification": product.specification,
            "supplier": product.supplier.name if product.supplier else "",
            "agency": agency.name if agency else "",
        }


# -- agency side: notices, objections, access log --------------------------------------------


def list_notices(session: Session, *, limit: int, offset: int) -> tuple[list[Notice], int]:
    return page(session, select(Notice), limit=limit, offset=offset)


def get_notice_or_raise(session: Session, notice_id: int) -> Notice:
    row = session.scalars(select(Notice).where(Notice.id == notice_id)).first()
    if row is None:
        raise NotFound(f"notice {notice_id} does not exist")
    return row


def objections_query(principal: Principal) -> Select[Any]:
    query = select(Objection)
    if is_regulator(principal):
        query = query.where(Objection.regulator_organisation_id == principal.organisation.id)
    return query


@contextmanager
def objection_view(session: Session, principal: Principal) -> Iterator[None]:
    """A regulator reads the objections filed against its checks (agency-owned rows)."""
    if not is_regulator(principal):
        yield
        return
    reason = f"objections to regulator {principal.organisation.id}"
    with tenancy.bypass_tenancy(session, reason=reason, actor_user_id=principal.user.id):
        yield


def list_objections(
    session: Session, *, principal: Principal, limit: int, offset: int
) -> tuple[list[Objection], int]:
    with objection_view(session, principal):
        return page(session, objections_query(principal), limit=limit, offset=offset)


def get_objection_or_raise(
    session: Session, objection_id: int, *, principal: Principal
) -> Objection:
    with objection_view(session, principal):
        row = session.scalars(
            objections_query(principal).where(Objection.id == objection_id)
        ).first()
    if row is None:
        raise NotFound(f"objection {objection_id} does not exist")
    return row


def list_access_log(session: Session, *, limit: int, offset: int) -> tuple[list[AccessLog], int]:
    """Who from a regulator read this organisation's records, newest first."""
    query = select(AccessLog)
    total = session.scalar(query.with_only_columns(func.count(AccessLog.id))) or 0
    rows = session.scalars(query.order_by(AccessLog.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_access_log_or_raise(session: Session, entry_id: int) -> AccessLog:
    row = session.scalars(select(AccessLog).where(AccessLog.id == entry_id)).first()
    if row is None:
        raise NotFound(f"access-log entry {entry_id} does not exist")
    return row


# -- publications (the regulator's drafts and published rows) --------------------------------


def list_publications(
    session: Session, *, limit: int, offset: int, status: PublicationStatus | None = None
) -> tuple[list[Publication], int]:
    query = select(Publication)
    if status is not None:
        query = query.where(Publication.status == status)
    return page(session, query, limit=limit, offset=offset)


def get_publication_or_raise(session: Session, publication_id: int) -> Publication:
    row = session.scalars(select(Publication).where(Publication.id == publication_id)).first()
    if row is None:
        raise NotFound(f"publication {publication_id} does not exist")
    return row


def stratum_of(stratify_by: str, *, category: str, organisation_id: int) -> str:
    if stratify_by == StratifyBy.CATEGORY:
        return category
    if stratify_by == StratifyBy.ORGANISATION:
        return str(organisation_id)
    return ""
