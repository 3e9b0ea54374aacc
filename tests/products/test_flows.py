from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.errors import InvalidTransition, PermissionDenied, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.products import flows
from liveqc.products.aql import InspectionState, Severity
from liveqc.products.models import LotDecisionStatus, ProductStatus
from liveqc.products.schemas import LotCreate, LotResults
from tests.factories.products import (
    act_as,
    file_documents,
    inspected_lot,
    make_product,
    passing_report,
    to_sample_testing,
)

TODAY = date(2026, 6, 1)
QC, ADMIN, AFTERSALES = "qc@xinghe.example", "admin@xinghe.example", "aftersales@xinghe.example"


def test_a_step_cannot_be_skipped(session: Session, demo) -> None:
    admin = act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    with pytest.raises(InvalidTransition, match="draft"):
        flows.transition(session, product_id=product.id, action="approve", actor=admin)
    flows.transition(session, product_id=product.id, action="submit", actor=admin)
    with pytest.raises(InvalidTransition, match="submitted"):
        flows.transition(session, product_id=product.id, action="sample_testing", actor=admin)
    assert product.status is ProductStatus.SUBMITTED


def test_the_submitter_cannot_approve(session: Session, demo) -> None:
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    file_documents(session, product, today=TODAY)
    passing_report(session, product)
    to_sample_testing(session, product, submitter=qc, reviewer=admin)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        flows.transition(session, product_id=product.id, action="approve", actor=qc, today=TODAY)
    flows.transition(session, product_id=product.id, action="approve", actor=admin, today=TODAY)
    assert product.status is ProductStatus.APPROVED


def test_only_deciders_may_decide(session: Session, demo) -> None:
    qc, viewer = act_as(session, demo, QC), act_as(session, demo, AFTERSALES)
    product = make_product(session, demo)
    with pytest.raises(PermissionDenied, match="roles"):
        flows.transition(session, product_id=product.id, action="submit", actor=viewer)
    flows.transition(session, product_id=product.id, action="submit", actor=qc)
    with pytest.raises(PermissionDenied):
        flows.transition(session, product_id=product.id, action="review", actor=viewer)


def test_approval_needs_documents_and_sample_evidence(session: Session, demo) -> None:
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    to_sample_testing(session, product, submitter=admin, reviewer=qc)
    with pytest.raises(InvalidTransition, match="missing inspection_report") as info:
        flows.transition(session, product_id=product.id, action="approve", actor=qc, today=TODAY)
    assert "no accepted sample inspection" in info.value.detail
    file_documents(session, product, today=TODAY, report_valid_to=TODAY - timedelta(days=1))
    gaps = flows.approval_gaps(session, product, today=TODAY)
    assert any("expired" in gap for gap in gaps)
    assert "no accepted sample inspection and no passing test report" in gaps
    assert product.status is ProductStatus.SAMPLE_TESTING


def test_an_accepted_lot_is_enough_evidence(session: Session, demo) -> None:
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    file_documents(session, product, today=TODAY)
    to_sample_testing(session, product, submitter=admin, reviewer=qc)
    rejected = inspected_lot(session, product, qc, defects=3)
    assert rejected.decision is LotDecisionStatus.REJECTED
    assert flows.approval_gaps(session, product, today=TODAY)
    inspected_lot(session, product, qc, defects=2)
    flows.transition(
        session,
        product_id=product.id,
        action="approve_with_conditions",
        actor=qc,
        reason="仅限标签整改后上播",
        today=TODAY,
    )
    assert product.status is ProductStatus.APPROVED_WITH_CONDITIONS


def test_every_transition_is_audited_with_actor_from_to_and_reason(session: Session, demo) -> None:
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    flows.transition(session, product_id=product.id, action="submit", actor=admin)
    flows.transition(session, product_id=product.id, action="review", actor=qc)
    flows.transition(session, product_id=product.id, action="reject", actor=qc, reason="资质不全")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "products", AuditEvent.object_id == str(product.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "submit", "review", "reject"]
    reject = events[-1]
    assert reject.actor_user_id == qc.user.id
    assert reject.before == {"status": "documents_review"}
    assert reject.after == {"status": "rejected", "reason": "资质不全", "source": "user"}
    steps = flows.history(session, product.id)
    assert [(s.from_status, s.to_status) for s in steps] == [
        (ProductStatus.DRAFT, ProductStatus.SUBMITTED),
        (ProductStatus.SUBMITTED, ProductStatus.DOCUMENTS_REVIEW),
        (ProductStatus.DOCUMENTS_REVIEW, ProductStatus.REJECTED),
    ]


def test_reject_requires_a_reason(session: Session, demo) -> None:
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    flows.transition(session, product_id=product.id, action="submit", actor=admin)
    flows.transition(session, product_id=product.id, action="review", actor=qc)
    with pytest.raises(ValidationFailed, match="reason"):
        flows.transition(session, product_id=product.id, action="reject", actor=qc, reason="  ")


def approved(session: Session, demo):
    qc, admin = act_as(session, demo, QC), act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    file_documents(session, product, today=TODAY)
    passing_report(session, product)
    to_sample_testing(session, product, submitter=admin, reviewer=qc)
    flows.transition(session, product_id=product.id, action="approve", actor=qc, today=TODAY)
    return product, qc, admin


def test_suspend_and_revetting_from_other_domains(session: Session, demo) -> None:
    product, qc, admin = approved(session, demo)
    flows.suspend(session, product_id=product.id, reason="抽检不合格", source="spot_check")
    assert product.status is ProductStatus.SUSPENDED
    assert flows.suspend(session, product_id=product.id, reason="again", source="spot_check")
    flows.open_revetting(session, product_id=product.id, reason="复检", source="complaints")
    assert product.status is ProductStatus.DOCUMENTS_REVIEW
    again = flows.open_revetting(session, product_id=product.id, reason="x", source="complaints")
    assert again.status is ProductStatus.DOCUMENTS_REVIEW
    last = flows.history(session, product.id)[-1]
    assert (last.source, last.actor_user_id, last.action) == ("complaints", None, "revet")
    # the original submitter still may not approve the re-vetted product
    flows.transition(session, product_id=product.id, action="sample_testing", actor=qc)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        flows.transition(session, product_id=product.id, action="approve", actor=admin, today=TODAY)


def test_revetting_a_draft_or_withdrawn_product_is_refused(session: Session, demo) -> None:
    admin = act_as(session, demo, ADMIN)
    product = make_product(session, demo)
    with pytest.raises(InvalidTransition):
        flows.open_revetting(session, product_id=product.id, reason="x", source="complaints")
    with pytest.raises(InvalidTransition):
        flows.suspend(session, product_id=product.id, reason="x", source="spot_check")
    flows.transition(session, product_id=product.id, action="withdraw", actor=admin, reason="停售")
    with pytest.raises(InvalidTransition, match="withdrawn"):
        flows.transition(session, product_id=product.id, action="withdraw", actor=admin, reason="x")
    with pytest.raises(PermissionDenied):
        flows.transition(session, product_id=product.id, action="submit", actor=None)  # type: ignore[arg-type]


def test_allowed_actions_follow_the_table(session: Session, demo) -> None:
    product, qc, _ = approved(session, demo)
    assert set(flows.allowed_actions(product, qc)) == {"suspend", "revet", "withdraw"}
    viewer = act_as(session, demo, AFTERSALES)
    assert flows.allowed_actions(product, viewer) == []


def test_lot_plans_follow_the_switching_state(session: Session, demo) -> None:
    qc = act_as(session, demo, QC)
    product = make_product(session, demo)
    lot = flows.create_lot(
        session,
        product_id=product.id,
        data=LotCreate(lot_number="A1", lot_size=1200, aqls={"major": "1.0", "minor": "4.0"}),
        actor=qc,
    )
    major = next(c for c in lot.classes if c.defect_class == "major")
    assert (major.code_letter, major.sample_size, major.accept, major.reject) == ("J", 80, 2, 3)
    assert major.severity is Severity.NORMAL
    flows.record_lot_results(
        session, lot_id=lot.id, data=LotResults(nonconforming={"major": 3, "minor": 0}), actor=qc
    )
    with pytest.raises(InvalidTransition, match="already"):
        flows.record_lot_results(
            session,
            lot_id=lot.id,
            data=LotResults(nonconforming={"major": 0, "minor": 0}),
            actor=qc,
        )
    inspected_lot(session, product, qc, defects=3)  # second rejection in five lots → tightened
    states = flows.switching_states(session, product.id)
    assert states["major"].state is InspectionState.TIGHTENED
    assert states["minor"].state is InspectionState.NORMAL and states["minor"].lots == 1
    tightened = inspected_lot(session, product, qc, defects=1)
    plan = tightened.classes[0]
    assert (plan.severity, plan.sample_size, plan.accept) == (Severity.TIGHTENED, 80, 1)
    assert tightened.decision is LotDecisionStatus.ACCEPTED


def test_lot_results_must_cover_every_class_and_fit_the_sample(session: Session, demo) -> None:
    qc = act_as(session, demo, QC)
    product = make_product(session, demo)
    lot = flows.create_lot(
        session, product_id=product.id, data=LotCreate(lot_number="A2", lot_size=50), actor=qc
    )
    with pytest.raises(ValidationFailed, match="each class"):
        flows.record_lot_results(
            session, lot_id=lot.id, data=LotResults(nonconforming={"minor": 0}), actor=qc
        )
    with pytest.raises(ValidationFailed, match="more than n"):
        flows.record_lot_results(
            session, lot_id=lot.id, data=LotResults(nonconforming={"major": 99}), actor=qc
        )


def test_net_content_failure_rejects_the_lot(session: Session, demo) -> None:
    qc = act_as(session, demo, QC)
    product = make_product(session, demo, category="food")
    lot = flows.create_lot(
        session,
        product_id=product.id,
        data=LotCreate(
            lot_number="N1", lot_size=8, nominal_quantity=Decimal(500), quantity_unit="g"
        ),
        actor=qc,
    )
    quantities = [Decimal(500)] * 7 + [Decimal(400)]
    flows.record_lot_results(
        session,
        lot_id=lot.id,
        data=LotResults(nonconforming={"major": 0}, unit_quantities=quantities),
        actor=qc,
    )
    assert lot.netcontent_passed is False
    assert lot.decision is LotDecisionStatus.REJECTED
    assert any("2T" in reason for reason in lot.reasons)


def test_net_content_quantities_must_match_the_lot(session: Session, demo) -> None:
    qc = act_as(session, demo, QC)
    product = make_product(session, demo, category="food")
    plain = flows.create_lot(
        session, product_id=product.id, data=LotCreate(lot_number="N2", lot_size=8), actor=qc
    )
    with pytest.raises(ValidationFailed, match="no declared net content"):
        flows.record_lot_results(
            session,
            lot_id=plain.id,
            data=LotResults(nonconforming={"major": 0}, unit_quantities=[Decimal(1)]),
            actor=qc,
        )
    packed = flows.create_lot(
        session,
        product_id=product.id,
        data=LotCreate(
            lot_number="N3", lot_size=8, nominal_quantity=Decimal(250), quantity_unit="g"
        ),
        actor=qc,
    )
    with pytest.raises(ValidationFailed, match="sample of 8"):
        flows.record_lot_results(
            session,
            lot_id=packed.id,
            data=LotResults(nonconforming={"major": 0}, unit_quantities=[Decimal(250)] * 3),
            actor=qc,
        )
    assert packed.decision is LotDecisionStatus.PENDING
    assert flows.switching_states(session, product.id)["major"].lots == 0


def test_expired_documents_send_approved_products_back_to_review(session: Session, demo) -> None:
    product, _, _ = approved(session, demo)
    assert flows.revet_expired_documents(session, today=TODAY) == []
    later = TODAY + timedelta(days=400)  # the inspection report ends after 365 days
    revetted = flows.revet_expired_documents(session, today=later)
    assert product in revetted and product.status is ProductStatus.DOCUMENTS_REVIEW
    last = flows.history(session, product.id)[-1]
    assert last.source == "expired_document" and "Inspection report expired" in last.reason


def test_evidence_is_an_accepted_lot_or_a_passing_report(session: Session, demo) -> None:
    qc = act_as(session, demo, QC)
    by_lot, by_report = (
        make_product(session, demo, sku="T-E1"),
        make_product(session, demo, sku="T-E2"),
    )
    assert flows.evidence_missing(session, by_lot) and flows.evidence_missing(session, by_report)
    inspected_lot(session, by_lot, qc, defects=3)  # rejected: not evidence
    assert flows.evidence_missing(session, by_lot)
    inspected_lot(session, by_lot, qc, defects=0)
    assert not flows.evidence_missing(session, by_lot)
    passing_report(session, by_report)
    assert not flows.evidence_missing(session, by_report)
    file_documents(session, by_report, today=TODAY)
    assert flows.approval_gaps(session, by_report, today=TODAY) == []
