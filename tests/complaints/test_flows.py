from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.complaints import flows, service
from liveqc.complaints.classify import ComplaintCategory
from liveqc.complaints.models import AlertKind, ComplaintAlert, ComplaintStatus, Remedy
from liveqc.db import tenancy
from liveqc.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories.complaints import TUESDAY, build_world, file

S = ComplaintStatus


def test_worked_through_to_a_remedy_with_every_step_audited(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    staff = world.after_sales
    flows.acknowledge(session, complaint, actor=staff)
    flows.investigate(session, complaint, actor=staff)
    flows.resolve(session, complaint, actor=staff, remedy=Remedy.REFUND, amount=Decimal("89.9"))
    flows.close(session, complaint, actor=staff)
    assert complaint.status is S.CLOSED and complaint.remedy_amount == Decimal("89.90")
    events = service.history(session, complaint)
    assert [e.action for e in events] == [
        "create",
        "acknowledge",
        "investigate",
        "resolve",
        "close",
    ]
    resolve = events[3]
    assert resolve.before["status"] == "investigating" and resolve.after["status"] == "resolved"
    assert resolve.actor_user_id == staff.user.id


@pytest.mark.parametrize(
    ("steps", "forbidden"),
    [
        ([], "resolve"),
        ([], "close"),
        (["acknowledge"], "acknowledge"),
        (["acknowledge"], "reject"),
        ([], "reopen"),
    ],
)
def test_forbidden_transitions_raise(session: Session, steps: list[str], forbidden: str) -> None:
    world = build_world(session)
    complaint = file(session, world)
    for step in steps:
        getattr(flows, step)(session, complaint, actor=world.after_sales)
    kwargs = {
        "resolve": {"remedy": Remedy.RETURN},
        "reject": {"reason": "不在售后范围"},
        "reopen": {"reason": "不同意"},
    }.get(forbidden, {})
    with pytest.raises(InvalidTransition):
        getattr(flows, forbidden)(session, complaint, actor=world.after_sales, **kwargs)


def test_only_after_sales_and_admins_work_complaints(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    with pytest.raises(PermissionDenied):
        flows.acknowledge(session, complaint, actor=world.qc)
    flows.acknowledge(session, complaint, actor=world.admin)


def test_reject_needs_a_reason_and_refund_needs_an_amount(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    flows.acknowledge(session, complaint, actor=world.after_sales)
    flows.investigate(session, complaint, actor=world.after_sales)
    with pytest.raises(ValidationFailed, match="reason"):
        flows.reject(session, complaint, actor=world.after_sales, reason=" ")
    with pytest.raises(ValidationFailed, match="amount"):
        flows.resolve(session, complaint, actor=world.after_sales, remedy=Remedy.REFUND)


def test_consumer_dispute_reopens_with_a_new_resolution_period(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    flows.acknowledge(session, complaint, actor=world.after_sales)
    flows.investigate(session, complaint, actor=world.after_sales)
    flows.reject(session, complaint, actor=world.after_sales, reason="已超过七天无理由退货期")
    later = TUESDAY + dt.timedelta(days=21)
    flows.reopen(session, complaint, actor=None, reason="我是签收后第三天申请的", now=later)
    assert complaint.status is S.INVESTIGATING and complaint.reopen_count == 1
    assert complaint.resolution_due > service.local_date(later)
    assert service.history(session, complaint)[-1].after["by"] == "consumer"


def test_escalation_only_to_a_regulator_or_association(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    with pytest.raises(ValidationFailed):
        flows.escalate(session, complaint, actor=world.admin, organisation_id=world.other.id)
    flows.escalate(session, complaint, actor=world.admin, organisation_id=world.association.id)
    assert complaint.escalated_to_id == world.association.id
    assert complaint.status is S.RECEIVED


def test_staff_override_of_the_category_is_audited(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    before = complaint.category
    flows.reclassify(
        session,
        complaint,
        actor=world.after_sales,
        category=ComplaintCategory.SAFETY_INCIDENT,
        reason="孩子手指被夹伤",
    )
    assert complaint.is_urgent and complaint.category_source == "staff"
    event = service.history(session, complaint)[-1]
    assert event.action == "reclassify" and event.before["category"] == before.value


def test_compensation_shown_when_the_category_fits(session: Session) -> None:
    world = build_world(session)
    food = file(
        session,
        world,
        product_id=world.food.id,
        price_paid=Decimal("59.90"),
        description="黑芝麻丸吃了以后肚子疼拉肚子，去医院说是食物中毒",
    )
    rules = {c.rule: c.amount for c in flows.compensation(session, food)}
    assert rules == {"food_safety": Decimal("1000.00")}
    fake = file(
        session,
        world,
        order_number="X2",
        contact_phone="13900000002",
        price_paid=Decimal("300"),
        description="买的遥控车是假货，品牌方说没有这个型号，防伪码查不到",
    )
    assert {c.rule: c.amount for c in flows.compensation(session, fake)} == {
        "fraud": Decimal("900.00")
    }


def test_escalate_overdue_flags_once_with_an_alert_urgent_first(session: Session) -> None:
    world = build_world(session)
    late = file(session, world)
    urgent = file(
        session,
        world,
        order_number="U1",
        contact_phone="13900000001",
        description="电煮锅漏电，我被电了一下，手麻了半天",
    )
    on_time = file(
        session,
        world,
        now=TUESDAY + dt.timedelta(days=14),
        order_number="N1",
        contact_phone="13900000005",
    )
    now = TUESDAY + dt.timedelta(days=14, hours=1)
    escalated = flows.escalate_overdue(session, now)
    assert [c.id for c in escalated] == [urgent.id, late.id]
    assert on_time.overdue_escalated_at is None and late.overdue_escalated_at == now
    alerts = session.scalars(select(ComplaintAlert).where(ComplaintAlert.kind == AlertKind.OVERDUE))
    assert {a.complaint_id for a in alerts} == {urgent.id, late.id}
    assert flows.escalate_overdue(session, now) == []


def test_escalate_overdue_in_a_system_session_covers_every_organisation(session: Session) -> None:
    world = build_world(session)
    mine = file(session, world)
    theirs = file(
        session,
        world,
        product_id=world.other_product.id,
        order_number="Z9",
        contact_phone="13900000007",
    )
    tenancy.set_organisation(session, None)
    with tenancy.bypass_tenancy(session, reason="test: scheduled overdue check"):
        found = flows.escalate_overdue(session, TUESDAY + dt.timedelta(days=30))
    assert {mine.id, theirs.id} <= {c.id for c in found}


def test_escalate_overdue_command_flags_every_organisation(tmp_path, cli_runner) -> None:
    import json

    from liveqc.cli.main import app
    from liveqc.config import get_settings
    from liveqc.db.migrate import upgrade
    from liveqc.db.session import make_db_engine, make_session_factory, session_scope
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    engine = make_db_engine(settings)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        world = build_world(session)
        late = file(session, world).id
    engine.dispose()
    env = {"LIVEQC_DATABASE_URL": settings.database_url, "LIVEQC_ENV": "test"}
    get_settings.cache_clear()
    try:
        args = ["complaints", "escalate-overdue", "--at", "2026-07-20T00:00:00"]
        result = cli_runner.invoke(app, args, env=env)
        again = cli_runner.invoke(app, args, env=env)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["id"] for line in lines] == [late]
    assert not [line for line in again.stdout.splitlines() if line.startswith("{")]
