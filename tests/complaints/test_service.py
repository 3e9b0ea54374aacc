from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from liveqc.complaints import service
from liveqc.complaints.schemas import PolicyUpdate
from liveqc.db import tenancy
from liveqc.errors import NotFound, ValidationFailed
from tests.factories.complaints import TUESDAY, build_world, complaint_data, file


def test_tracking_codes_are_random_and_normalise_from_what_people_type() -> None:
    codes = {service.new_tracking_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 22 and code.startswith("LQ-")
    assert service.normalise_tracking_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("+8613812345678", "+86****5678"), ("1234", "****")],
)
def test_phone_masking(value: str, masked: str) -> None:
    assert service.mask_phone(value) == masked


def test_email_and_order_masking() -> None:
    assert service.mask_email("alice@example.com") == "a***@example.com"
    assert service.mask_order("DY20260610123456") == "DY****3456"
    assert service.mask_order("12345") == "*****"


def test_deadlines_follow_the_chinese_calendar_over_a_holiday_week(session: Session) -> None:
    world = build_world(session)
    # Received Wednesday 2026-09-30 (Beijing); 1-7 October are the National Day holidays and
    # Saturday 10 October is a make-up working day.
    received = dt.datetime(2026, 9, 30, 4, 0, tzinfo=dt.UTC)
    complaint = file(session, world, now=received)
    assert complaint.first_response_due == dt.date(2026, 10, 8)
    assert complaint.resolution_due == dt.date(2026, 10, 20)


def test_received_late_evening_utc_counts_from_the_beijing_date(session: Session) -> None:
    world = build_world(session)
    # 2026-06-15 20:00 UTC is Tuesday 16 June 04:00 in Beijing.
    complaint = file(session, world, now=dt.datetime(2026, 6, 15, 20, 0, tzinfo=dt.UTC))
    assert complaint.first_response_due == dt.date(2026, 6, 17)


def test_policy_changes_the_deadlines_and_is_audited(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, world.agency.id)
    service.update_policy(
        session,
        data=PolicyUpdate(
            first_response_working_days=2, resolution_working_days=5, revetting_threshold=4
        ),
        actor=world.admin.user,
    )
    complaint = file(session, world)
    assert complaint.first_response_due == dt.date(2026, 6, 18)
    assert complaint.resolution_due == dt.date(2026, 6, 24)  # 19 June is Dragon Boat Festival
    with pytest.raises(ValidationFailed):
        service.update_policy(
            session,
            data=PolicyUpdate(
                first_response_working_days=9, resolution_working_days=5, revetting_threshold=4
            ),
            actor=world.admin.user,
        )


def test_deadlines_beyond_the_known_calendar_fall_back_to_weekdays(session: Session) -> None:
    world = build_world(session)
    policy = service.policy_for(session, world.agency.id)
    due = service.deadlines_for(dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC), policy)
    assert due.resolution_due == dt.date(2027, 1, 11)


def test_tenancy_hides_other_agencies_complaints(session: Session) -> None:
    world = build_world(session)
    mine = file(session, world)
    tenancy.set_organisation(session, world.other.id)
    assert service.list_(session)[1] == 0
    with pytest.raises(NotFound):
        service.get_or_raise(session, mine.id)


def test_queue_puts_urgent_first_then_least_time_left(session: Session) -> None:
    world = build_world(session)
    older = file(session, world, now=TUESDAY - dt.timedelta(days=7), order_number="A1")
    newer = file(session, world, order_number="A2", contact_phone="13900000002")
    urgent = file(
        session,
        world,
        order_number="A3",
        contact_phone="13900000003",
        description="吹风机用了两次就冒烟起火，把我手烫伤了",
    )
    rows, total = service.queue(session)
    assert total == 3
    assert [row.id for row in rows] == [urgent.id, older.id, newer.id]


def test_escalation_targets_see_only_what_was_escalated_to_them(session: Session) -> None:
    world = build_world(session)
    escalated = file(session, world)
    file(session, world, order_number="B2", contact_phone="13900000009")
    escalated.escalated_to_id = world.association.id
    session.flush()
    tenancy.set_organisation(session, world.association.id)
    rows, total = service.list_escalated(session, principal=world.association_staff)
    assert total == 1 and rows[0].id == escalated.id
    with pytest.raises(NotFound):
        service.visible_or_raise(session, principal=world.inspector, complaint_id=escalated.id)


def test_staff_cannot_link_another_agencys_product(session: Session) -> None:
    world = build_world(session)
    data = complaint_data(product_id=world.other_product.id)
    with pytest.raises(ValidationFailed, match="product_id"):
        service.create(session, data=data, organisation_id=world.agency.id, actor=world.admin.user)


def test_staff_filing_validates_the_live_session_and_keeps_the_batch(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, world.agency.id)
    complaint = service.create(
        session,
        data=complaint_data(product_id=world.toy.id, live_session_id=world.live.id, batch="L01"),
        organisation_id=world.agency.id,
        actor=world.after_sales.user,
        now=TUESDAY,
    )
    assert complaint.live_session_id == world.live.id and complaint.batch == "L01"
    with pytest.raises(ValidationFailed, match="live_session_id"):
        service.create(
            session,
            data=complaint_data(product_id=world.toy.id, live_session_id=world.other_live.id),
            organisation_id=world.agency.id,
            actor=world.after_sales.user,
            now=TUESDAY,
        )
