"""Product workflows: vetting (submitted → documents review → sample testing → decision →
suspended / withdrawn, and re-vetting), and sample inspection of lots under AQL plans with the
switching rules carried per supplier, product and defect class.

Every step checks the module-level transition table, records a vetting event and an audit
entry (actor, from, to, reason) and raises ``InvalidTransition`` for an illegal step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts.models import Role, User
from liveqc.accounts.service import Principal
from liveqc.db.types import utcnow
from liveqc.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from liveqc.events.service import record
from liveqc.products import aql, netcontent, service
from liveqc.products.facts import product_facts
from liveqc.products.models import (
    InspectionLot,
    InspectionLotClass,
    LotDecisionStatus,
    Product,
    SwitchingRecord,
    TestReport,
    VettingEvent,
)
from liveqc.products.models import ProductStatus as S
from liveqc.products.schemas import LotCreate, LotResults
from liveqc.products.test_reports import Verdict

DECIDERS = frozenset({Role.ADMIN, Role.QC_REVIEWER})
SUBMITTERS = frozenset({Role.ADMIN, Role.QC_REVIEWER, Role.COMPLIANCE_REVIEWER, Role.HOST})
__all__ = ["TRANSITIONS", "open_revetting", "product_facts", "suspend", "transition"]

APPROVED = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})


@dataclass(frozen=True)
class Step:
    sources: frozenset[S]
    target: S
    roles: frozenset[Role]
    needs_reason: bool = False


#: action → (states it may start from, state it leads to, roles allowed, reason required).
TRANSITIONS: dict[str, Step] = {
    "submit": Step(frozenset({S.DRAFT, S.REJECTED, S.WITHDRAWN}), S.SUBMITTED, SUBMITTERS),
    "review": Step(frozenset({S.SUBMITTED}), S.DOCUMENTS_REVIEW, DECIDERS),
    "sample_testing": Step(frozenset({S.DOCUMENTS_REVIEW}), S.SAMPLE_TESTING, DECIDERS),
    "approve": Step(frozenset({S.SAMPLE_TESTING}), S.APPROVED, DECIDERS),
    "approve_with_conditions": Step(
        frozenset({S.SAMPLE_TESTING}), S.APPROVED_WITH_CONDITIONS, DECIDERS, needs_reason=True
    ),
    "reject": Step(
        frozenset({S.DOCUMENTS_REVIEW, S.SAMPLE_TESTING}), S.REJECTED, DECIDERS, needs_reason=True
    ),
    "suspend": Step(APPROVED, S.SUSPENDED, DECIDERS, needs_reason=True),
    "revet": Step(
        APPROVED | {S.SUSPENDED, S.SAMPLE_TESTING}, S.DOCUMENTS_REVIEW, DECIDERS, needs_reason=True
    ),
    "withdraw": Step(frozenset(set(S) - {S.WITHDRAWN}), S.WITHDRAWN, DECIDERS, needs_reason=True),
}
ACTIONS = tuple(TRANSITIONS)


def allowed_actions(product: Product, principal: Principal | None = None) -> list[str]:
    """The actions the transition table allows from the product's state (and the roles)."""
    return [
        name
        for name, step in TRANSITIONS.items()
        if product.status in step.sources and (principal is None or principal.has_any(*step.roles))
    ]


def _move(
    session: Session,
    product: Product,
    action: str,
    *,
    actor: Principal | User | None,
    reason: str = "",
    source: str = "user",
) -> Product:
    step = TRANSITIONS[action]
    user = _user(actor)
    if product.status not in step.sources:
        allowed = ", ".join(sorted(s.value for s in step.sources))
        raise InvalidTransition(
            f"product {product.id} is {product.status.value}; {action} is allowed only from "
            f"{allowed}"
        )
    if user is None and source == "user":
        raise PermissionDenied(f"{action} needs a signed-in user")
    source = source.strip()
    if not source or len(source) > 32:
        raise ValidationFailed("source: give a short name of what triggered the step")
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise ValidationFailed(f"reason: {action} needs a reason", field="reason")
    before = product.status
    product.status = step.target
    if action == "submit":
        product.submitted_by_id = user.id if user is not None else None
    session.add(
        VettingEvent(
            product_id=product.id,
            action=action,
            from_status=before,
            to_status=step.target,
            actor_user_id=user.id if user is not None else None,
            reason=reason,
            source=source,
            at=utcnow(),
        )
    )
    session.flush()
    record(
        session,
        user,
        product.organisation_id,
        product,
        action,
        {"status": before},
        {"status": step.target, "reason": reason, "source": source},
    )
    if step.target is S.SUSPENDED:
        _notify_live_sessions(session, product, user)
    return product


def _notify_live_sessions(session: Session, product: Product, user: User | None) -> None:
    """Raise alerts in the live sessions whose lineup holds a product just suspended."""
    # Imported here because live sessions import the product models (a cycle at import time).
    from liveqc.live_sessions.flows import on_product_suspended

    on_product_suspended(session, product.id, actor=user)


def _four_eyes(product: Product, actor: Principal) -> None:
    if product.submitted_by_id is not None and product.submitted_by_id == actor.user.id:
        raise PermissionDenied(
            f"product {product.id} was submitted by this user; another person must decide "
            "(four-eyes rule)"
        )


def approval_gaps(session: Session, product: Product, *, today: date | None = None) -> list[str]:
    """Why the product cannot be approved yet; [] when it can."""
    gaps: list[str] = []
    check = service.check_product_documents(session, product, today=today)
    gaps += [f"missing {m.requirement}: {m.reason}" for m in check.missing]
    gaps += [i.reason for i in (*check.expired, *check.invalid) if not i.superseded]
    gaps += [f"blocked: {b.reason}" for b in check.blocked]
    if evidence_missing(session, product):
        gaps.append("no accepted sample inspection and no passing test report")
    return gaps


def evidence_missing(session: Session, product: Product) -> bool:
    """True when neither an accepted sample inspection nor a passing test report is on file."""
    lot_ok = session.scalars(
        select(InspectionLot.id).where(
            InspectionLot.product_id == product.id,
            InspectionLot.decision == LotDecisionStatus.ACCEPTED,
        )
    ).first()
    report_ok = session.scalars(
        select(TestReport.id).where(
            TestReport.product_id == product.id, TestReport.verdict == Verdict.PASS
        )
    ).first()
    return lot_ok is None and report_ok is None


def transition(
    session: Session,
    *,
    product_id: int,
    action: str,
    actor: Principal,
    reason: str = "",
    today: date | None = None,
) -> Product:
    """Run one vetting action by a signed-in user (the API's and console's entry point)."""
    if action not in TRANSITIONS:
        raise ValidationFailed(f"action: unknown {action!r} (one of {', '.join(ACTIONS)})")
    product = service.get_product_or_raise(session, product_id)
    step = TRANSITIONS[action]
    if not isinstance(actor, Principal):
        raise PermissionDenied(f"{action} needs a signed-in user")
    if not actor.has_any(*step.roles):
        wanted = ", ".join(sorted(r.value for r in step.roles))
        raise PermissionDenied(f"{action} needs one of the roles: {wanted}")
    if action.startswith("approve") and product.status in step.sources:
        _four_eyes(product, actor)
        gaps = approval_gaps(session, product, today=today)
        if gaps:
            raise InvalidTransition(f"product {product.id} cannot be approved: " + "; ".join(gaps))
    return _move(session, product, action, actor=actor, reason=reason)


def open_revetting(
    session: Session,
    *,
    product_id: int,
    reason: str,
    source: str,
    actor: Principal | User | None = None,
) -> Product:
    """Send a product back to documents review (an expired document, a failed spot check, a
    complaint signal). A product already in submitted or documents review is left as it is.

    Raises:
        InvalidTransition: the product is a draft, rejected or withdrawn.
    """
    product = service.get_product_or_raise(session, product_id)
    if product.status in (S.SUBMITTED, S.DOCUMENTS_REVIEW):
        return product
    return _move(session, product, "revet", actor=actor, reason=reason, source=source)


def suspend(
    session: Session,
    *,
    product_id: int,
    reason: str,
    source: str,
    actor: Principal | User | None = None,
) -> Product:
    """Take an approved product off air and alert the live sessions whose lineup holds it;
    a product already suspended is left as it is.

    Raises:
        InvalidTransition: the product is not approved (it cannot go on air anyway).
    """
    product = service.get_product_or_raise(session, product_id)
    if product.status is S.SUSPENDED:
        return product
    return _move(session, product, "suspend", actor=actor, reason=reason, source=source)


def history(session: Session, product_id: int) -> list[VettingEvent]:
    service.get_product_or_raise(session, product_id)
    query = select(VettingEvent).where(VettingEvent.product_id == product_id)
    return list(session.scalars(query.order_by(VettingEvent.id)))


# --- sample inspection --------------------------------------------------------------------


def _state_of(row: SwitchingRecord | None) -> aql.SwitchingState:
    if row is None:
        return aql.SwitchingState()
    data = dict(row.data)
    data["state"] = aql.InspectionState(data["state"])
    data["normal_results"] = tuple(data.get("normal_results", ()))
    return aql.SwitchingState(**data)


def _switching_row(
    session: Session, product: Product, defect_class: aql.DefectClass
) -> SwitchingRecord | None:
    return session.scalars(
        select(SwitchingRecord).where(
            SwitchingRecord.supplier_id == product.supplier_id,
            SwitchingRecord.product_id == product.id,
            SwitchingRecord.defect_class == defect_class,
        )
    ).first()


def switching_states(session: Session, product_id: int) -> dict[str, aql.SwitchingState]:
    """The switching state per defect class for the product and its current supplier."""
    product = service.get_product_or_raise(session, product_id)
    return {cls.value: _state_of(_switching_row(session, product, cls)) for cls in aql.DefectClass}


def create_lot(
    session: Session, *, product_id: int, data: LotCreate, actor: Principal | None
) -> InspectionLot:
    """Register a lot and compute each class's plan under the current switching severity."""
    product = service.get_product_or_raise(session, product_id)
    if data.nominal_quantity is not None:
        netcontent.parse_unit(data.quantity_unit)
    lot = InspectionLot(
        product_id=product.id,
        supplier_id=product.supplier_id,
        lot_number=data.lot_number,
        lot_size=data.lot_size,
        level=aql.parse_level(data.level),
        nominal_quantity=data.nominal_quantity,
        quantity_unit=data.quantity_unit if data.nominal_quantity is not None else "",
    )
    for cls, value in data.aqls.items():
        state = _state_of(_switching_row(session, product, cls))
        if state.severity is None:
            raise InvalidTransition(f"{cls}: {state.reason}; sampling is discontinued")
        plan = aql.plan(data.lot_size, lot.level, value, state.severity)
        lot.classes.append(
            InspectionLotClass(
                organisation_id=product.organisation_id,
                defect_class=cls,
                aql=str(plan.aql),
                severity=plan.severity,
                code_letter=plan.code_letter,
                plan_code_letter=plan.plan_code_letter,
                sample_size=plan.sample_size,
                accept=plan.accept,
                reject=plan.reject,
                inspect_all=plan.inspect_all,
            )
        )
    session.add(lot)
    session.flush()
    plans = {c.defect_class.value: f"n={c.sample_size} Ac={c.accept}" for c in lot.classes}
    after = {"lot_number": lot.lot_number, "lot_size": lot.lot_size, "plans": plans}
    record(session, _user(actor), lot.organisation_id, lot, "create", None, after)
    return lot


def get_lot_or_raise(session: Session, lot_id: int) -> InspectionLot:
    lot = session.scalars(select(InspectionLot).where(InspectionLot.id == lot_id)).first()
    if lot is None:
        raise NotFound(f"inspection lot {lot_id} does not exist")
    return lot


def list_lots(session: Session, product_id: int) -> list[InspectionLot]:
    query = select(InspectionLot).where(InspectionLot.product_id == product_id)
    return list(session.scalars(query.order_by(InspectionLot.id)))


def _user(actor: Principal | User | None) -> Any:
    return actor.user if isinstance(actor, Principal) else actor


def record_lot_results(
    session: Session, *, lot_id: int, data: LotResults, actor: Principal | None
) -> InspectionLot:
    """Record what the sample showed; decide the lot and advance the switching state."""
    lot = get_lot_or_raise(session, lot_id)
    if lot.decision is not LotDecisionStatus.PENDING:
        raise InvalidTransition(f"inspection lot {lot.id} is already {lot.decision.value}")
    classes = {c.defect_class: c for c in lot.classes}
    if set(data.nonconforming) != set(classes):
        wanted = ", ".join(sorted(c.value for c in classes))
        raise ValidationFailed(f"nonconforming: give a count for each class ({wanted})")
    product = service.get_product_or_raise(session, lot.product_id)
    for cls, row in classes.items():
        if data.nonconforming[cls] > row.sample_size:
            count = data.nonconforming[cls]
            raise ValidationFailed(f"nonconforming.{cls}: {count} is more than n={row.sample_size}")
    if lot.nominal_quantity is None and data.unit_quantities:
        raise ValidationFailed("unit_quantities: the lot has no declared net content")
    if lot.nominal_quantity is not None and not data.unit_quantities:
        raise ValidationFailed("unit_quantities: give the net content of each sampled unit")
    net = None
    if lot.nominal_quantity is not None:
        net = netcontent.check_batch(
            lot.nominal_quantity, lot.quantity_unit, data.unit_quantities, lot.lot_size
        )
    reasons: list[str] = []
    for cls, row in classes.items():
        count = data.nonconforming[cls]
        plan = aql.plan(lot.lot_size, lot.level, row.aql, row.severity)
        row.nonconforming, row.accepted = count, plan.accepts(count)
        row.defects = list(data.defects.get(cls, []))
        verdict = "accepted" if row.accepted else "not accepted"
        reasons.append(
            f"{cls}: d={count} with Ac={plan.accept}/Re={plan.reject} "
            f"(n={plan.sample_size}, AQL {plan.aql}, {plan.severity}) → {verdict}"
        )
        switching = _switching_row(session, product, cls)
        state = aql.next_state(_state_of(switching), aql.LotResult(plan, count))
        if switching is None:
            switching = SwitchingRecord(
                supplier_id=lot.supplier_id, product_id=product.id, defect_class=cls
            )
            session.add(switching)
        switching.state = state.state
        switching.data = {**asdict(state), "normal_results": list(state.normal_results)}
        if state.switched:
            reasons.append(f"{cls}: {state.reason}")
    accepted = all(row.accepted for row in classes.values())
    if net is not None:
        lot.unit_quantities = [str(q) for q in data.unit_quantities]
        lot.netcontent_passed = net.passed
        reasons += [f"net content: {r}" for r in net.reasons]
        accepted = accepted and net.passed
    lot.decision = LotDecisionStatus.ACCEPTED if accepted else LotDecisionStatus.REJECTED
    lot.reasons = reasons
    lot.decided_at = utcnow()
    lot.decided_by_id = getattr(_user(actor), "id", None)
    session.flush()
    record(
        session,
        _user(actor),
        lot.organisation_id,
        lot,
        "decide",
        {"decision": LotDecisionStatus.PENDING},
        {
            "decision": lot.decision,
            "nonconforming": {str(k): v for k, v in data.nonconforming.items()},
        },
    )
    return lot


def revet_expired_documents(
    session: Session, *, today: date | None = None, actor: Principal | User | None = None
) -> list[Product]:
    """Open re-vetting for each approved product (in the session's organisation) holding an
    expired document with no current successor of the same type; returns those products."""
    query = select(Product).where(Product.status.in_(sorted(APPROVED)))
    revetted = []
    for product in session.scalars(query.order_by(Product.id)).all():
        check = service.check_product_documents(session, product, today=today)
        expired = [i for i in check.expired if not i.superseded]
        if expired:
            reason = "; ".join(i.reason for i in expired)
            open_revetting(
                session,
                product_id=product.id,
                reason=reason,
                source="expired_document",
                actor=actor,
            )
            revetted.append(product)
    return revetted
