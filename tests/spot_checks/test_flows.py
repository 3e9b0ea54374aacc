"""Spot-check workflow: transitions, verdict from test items, suspension propagation,
objection deadline, objection decisions and closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.db import tenancy
from liveqc.errors import InvalidTransition, PermissionDenied, ValidationFailed
from liveqc.events.models import AuditEvent
from liveqc.products.models import Product, ProductStatus
from liveqc.spot_checks import flows, service
from liveqc.spot_checks.models import CheckStatus, Notice, ObjectionStatus, SpotCheck
from liveqc.spot_checks.schemas import CustodyIn, PlanCreate, ResultsIn, SampleIn, TestItemIn
from tests.spot_checks.conftest import principal

INSPECTOR = "inspector@binjiang.example"
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def new_check(db: Session) -> tuple[SpotCheck, object]:
    """A fresh plan over one approved product of 星河直播, drawn by the demo regulator, sampled."""
    regulator = principal(db, INSPECTOR)
    with tenancy.bypass_tenancy(db, reason="test setup"):
        product = db.scalars(
            select(Product)
            .where(Product.sku.like("XH-%"), Product.status == ProductStatus.APPROVED)
            .order_by(Product.id)
        ).first()
    plan = service.create_plan(
        db,
        data=PlanCreate(name=f"test {product.sku}", organisation_ids=[product.organisation_id],
                        categories=[product.category], sample_count=50, seed="t"),
        principal=regulator,
    )  # fmt: skip
    flows.draw_plan(db, plan=plan, principal=regulator)
    check = db.scalars(
        select(SpotCheck).where(SpotCheck.plan_id == plan.id, SpotCheck.product_id == product.id)
    ).one()
    sample = SampleIn(sampled_at=T0, order_number="DY1", batch="B1", holder="抽样员甲")
    flows.record_sample(db, check=check, data=sample, actor=regulator.user)
    return check, regulator


def results(*items: tuple[str, str, str]) -> ResultsIn:
    return ResultsIn(
        lab_name="实验室",
        tested_at=T0 + timedelta(days=3),
        items=[TestItemIn(name=n, limit=lim, result=res) for n, lim, res in items],
    )


FAILING = results(("菌落总数", "≤1000 CFU/g", "5600 CFU/g"), ("铅", "≤10 mg/kg", "1 mg/kg"))
PASSING = results(("铅", "≤10 mg/kg", "1 mg/kg"))


def test_objection_deadline_is_end_of_the_fifteenth_day_in_beijing() -> None:
    # notified 2026-06-01 10:00 CST → last day 2026-06-16, until 24:00 CST = 16:00 UTC.
    deadline = flows.objection_deadline(T0, 15)
    assert deadline == datetime(2026, 6, 16, 15, 59, 59, 999999, tzinfo=UTC)
    # notified at 23:30 CST on 1 June is still day 0 of the same period
    late = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)
    assert flows.objection_deadline(late, 15) == deadline


def test_verdict_is_computed_from_the_items(db: Session) -> None:
    check, regulator = new_check(db)
    flows.record_results(db, check=check, data=FAILING, actor=regulator.user)
    assert check.verdict == "fail"
    assert [i.verdict for i in check.items] == ["fail", "pass"]
    flows.record_results(db, check=check, data=PASSING, actor=regulator.user)
    assert check.verdict == "pass" and len(check.items) == 1


def test_conclude_needs_decided_results(db: Session) -> None:
    check, regulator = new_check(db)
    with pytest.raises(InvalidTransition, match="sampled"):
        flows.conclude(db, check=check, actor=regulator.user)
    unreadable = results(("感官", "", "正常"))
    flows.record_results(db, check=check, data=unreadable, actor=regulator.user)
    with pytest.raises(ValidationFailed, match="needs_review"):
        flows.conclude(db, check=check, actor=regulator.user)


def test_failed_check_suspends_opens_revetting_alerts_lineups_and_notifies(db: Session) -> None:
    from liveqc.live_sessions.models import Alert, LineupItem, LiveSession

    check, regulator = new_check(db)
    with tenancy.bypass_tenancy(db, reason="test setup"):
        product = db.get(Product, check.product_id)
        assert product is not None and product.status is ProductStatus.APPROVED
        live = LiveSession(organisation_id=product.organisation_id, platform="抖音", room="r1",
                           title="晚场", scheduled_at=T0 + timedelta(days=30))  # fmt: skip
        db.add(live)
        db.flush()
        db.add(LineupItem(organisation_id=product.organisation_id, live_session_id=live.id,
                          product_id=product.id, position=1))  # fmt: skip
        db.flush()
    flows.record_results(db, check=check, data=FAILING, actor=regulator.user)
    flows.conclude(db, check=check, actor=regulator.user, now=T0 + timedelta(days=5))
    assert check.status is CheckStatus.NOTIFIED
    assert check.follow_up["suspended"] and check.follow_up["revetting"]
    assert check.follow_up["live_alerts"] == 1
    with tenancy.bypass_tenancy(db, reason="test check"):
        db.refresh(product)
        assert product.status is ProductStatus.DOCUMENTS_REVIEW  # suspended, then re-vetting
        actions = db.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "products", AuditEvent.object_id == str(product.id)
            )
        ).all()
        assert {"suspend", "revet"} <= set(actions)
        assert db.scalars(select(Alert).where(Alert.live_session_id == live.id)).all()
        notice = db.scalars(select(Notice).where(Notice.spot_check_id == check.id)).one()
    assert notice.organisation_id == product.organisation_id and notice.kind == "failed"


def test_passed_check_leaves_the_product_alone(db: Session) -> None:
    check, regulator = new_check(db)
    flows.record_results(db, check=check, data=PASSING, actor=regulator.user)
    flows.conclude(db, check=check, actor=regulator.user)
    assert check.status is CheckStatus.PASSED and check.objection_deadline is None
    with tenancy.bypass_tenancy(db, reason="test check"):
        assert db.get(Product, check.product_id).status is ProductStatus.APPROVED


def failed(db: Session) -> tuple[SpotCheck, object]:
    check, regulator = new_check(db)
    flows.record_results(db, check=check, data=FAILING, actor=regulator.user)
    flows.conclude(db, check=check, actor=regulator.user, now=T0 + timedelta(days=5))
    return check, regulator


def test_objection_inside_the_period_is_accepted(db: Session) -> None:
    check, _ = failed(db)
    agency = principal(db, "admin@xinghe.example")
    last_moment = check.objection_deadline
    objection = flows.file_objection(
        db, check=check, reason="样品破损", principal=agency, now=last_moment
    )
    assert objection.status is ObjectionStatus.PENDING
    assert check.status is CheckStatus.OBJECTED


def test_objection_after_the_period_is_refused(db: Session) -> None:
    check, _ = failed(db)
    agency = principal(db, "admin@xinghe.example")
    too_late = check.objection_deadline + timedelta(microseconds=1)
    with pytest.raises(InvalidTransition, match="objection period"):
        flows.file_objection(db, check=check, reason="迟到", principal=agency, now=too_late)
    assert check.status is CheckStatus.NOTIFIED


def test_plan_objection_period_is_used(db: Session) -> None:
    check, _ = failed(db)
    plan = service.get_plan_or_raise(db, check.plan_id)
    assert plan.objection_period_days == 15
    assert check.objection_deadline == flows.objection_deadline(T0 + timedelta(days=5), 15)


def test_only_the_inspected_organisation_may_object(db: Session) -> None:
    check, _ = failed(db)
    other = principal(db, "admin@qinghe.example")
    with pytest.raises(PermissionDenied):
        flows.file_objection(db, check=check, reason="x", principal=other, now=T0)


def test_decisions_and_withdrawal_move_the_check(db: Session) -> None:
    check, regulator = failed(db)
    agency = principal(db, "admin@xinghe.example")
    objection = flows.file_objection(db, check=check, reason="r", principal=agency, now=T0)
    flows.withdraw_objection(db, objection=objection, check=check, principal=agency)
    assert objection.status is ObjectionStatus.WITHDRAWN
    assert check.status is CheckStatus.NOTIFIED
    second = flows.file_objection(db, check=check, reason="r2", principal=agency, now=T0)
    regulator = principal(db, INSPECTOR)
    flows.decide_objection(db, objection=second, check=check, accept=True, note="复检合格",
                           principal=regulator)  # fmt: skip
    assert second.status is ObjectionStatus.ACCEPTED
    assert check.status is CheckStatus.OVERTURNED
    with pytest.raises(InvalidTransition):
        flows.decide_objection(db, objection=second, check=check, accept=False, note="again",
                               principal=regulator)  # fmt: skip


def test_a_failed_check_closes_only_after_the_objection_period(db: Session) -> None:
    check, regulator = failed(db)
    with pytest.raises(InvalidTransition, match="open to objection"):
        flows.close(db, check=check, actor=regulator.user, now=check.objection_deadline)
    flows.close(db, check=check, actor=regulator.user, now=check.objection_deadline + timedelta(1))
    assert check.status is CheckStatus.CLOSED


def test_custody_entries_are_kept_in_order(db: Session) -> None:
    check, regulator = new_check(db)
    flows.add_custody(db, check=check, data=CustodyIn(holder="实验室收样员",
                      held_from=T0 + timedelta(days=1)), actor=regulator.user)  # fmt: skip
    assert [c.holder for c in check.custody] == ["抽样员甲", "实验室收样员"]
    with pytest.raises(ValidationFailed, match="held_from"):
        flows.add_custody(db, check=check, data=CustodyIn(holder="x", held_from=T0 - timedelta(1)),
                          actor=regulator.user)  # fmt: skip


def test_every_step_is_audited(db: Session) -> None:
    check, _ = failed(db)
    with tenancy.bypass_tenancy(db, reason="test check"):
        actions = db.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "spot_checks", AuditEvent.object_id == str(check.id)
            )
        ).all()
    assert {"record_sample", "custody", "record_results", "conclude"} <= set(actions)


def test_redraw_of_a_recorded_plan_matches(db: Session) -> None:
    check, _ = new_check(db)
    plan = service.get_plan_or_raise(db, check.plan_id)
    assert flows.verify_draw(plan).matches
    plan.selected_ids = [*plan.selected_ids[:-1], 10**6]
    assert not flows.verify_draw(plan).matches


def test_risk_weighted_draw_records_the_simple_score(db: Session) -> None:
    regulator = principal(db, INSPECTOR)
    plan = service.create_plan(
        db,
        data=PlanCreate(name="risk", sample_count=2, seed="r", method="risk_weighted"),
        principal=regulator,
    )
    flows.draw_plan(db, plan=plan, principal=regulator)
    with tenancy.bypass_tenancy(db, reason="test read"):
        products = {p.id: p for p in db.scalars(select(Product))}
        failed_before = set(
            db.scalars(select(SpotCheck.product_id).where(SpotCheck.verdict == "fail"))
        )
    for c in plan.candidates:
        product = products[c["id"]]
        expected = flows.risk_score(str(product.category), 1 if c["id"] in failed_before else 0)
        assert c["weight"] == expected
    assert flows.risk_score("food", 0) == 2.0 and flows.risk_score("appliance", 2) == 5.0
    assert flows.verify_draw(plan).matches


def test_given_weights_and_stratified_allocation(db: Session) -> None:
    regulator = principal(db, INSPECTOR)
    with tenancy.bypass_tenancy(db, reason="test read"):
        on_sale = list(db.scalars(select(Product).where(Product.status.in_(flows.ON_SALE))))
    heavy = on_sale[0].id
    weights = {p.id: (1.0 if p.id == heavy else 0.0) for p in on_sale}
    plan = service.create_plan(
        db,
        data=PlanCreate(
            name="w", sample_count=1, seed="w", method="risk_weighted", weights=weights
        ),
        principal=regulator,
    )
    flows.draw_plan(db, plan=plan, principal=regulator)
    assert plan.selected_ids == [heavy]
    strat = service.create_plan(
        db,
        data=PlanCreate(name="s", sample_count=4, seed="s", method="stratified",
                        stratify_by="organisation"),
        principal=regulator,
    )  # fmt: skip
    flows.draw_plan(db, plan=strat, principal=regulator)
    owners = {p.id: p.organisation_id for p in on_sale}
    picked = [owners[i] for i in strat.selected_ids]
    assert sorted(picked.count(o) for o in set(owners.values())) == [2, 2]
