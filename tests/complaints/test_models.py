from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveqc.complaints.models import Complaint, ComplaintPolicy, ComplaintStatus
from liveqc.db import tenancy
from tests.factories.complaints import build_world, file


def test_a_complaint_round_trips_with_its_deadlines_and_enums(session: Session) -> None:
    world = build_world(session)
    complaint = file(session, world)
    session.expire_all()
    row = session.scalars(select(Complaint).where(Complaint.id == complaint.id)).one()
    assert row.status is ComplaintStatus.RECEIVED
    assert row.received_at.tzinfo is not None
    assert row.first_response_due <= row.resolution_due
    assert row.organisation_id == world.agency.id


def test_tracking_codes_are_unique(session: Session) -> None:
    world = build_world(session)
    first = file(session, world)
    second = file(session, world, order_number="DY999", contact_phone="13900001111")
    second.tracking_code = first.tracking_code
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_policy_per_organisation(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, world.agency.id)
    session.add(ComplaintPolicy(organisation_id=world.agency.id))
    session.flush()
    session.add(ComplaintPolicy(organisation_id=world.agency.id))
    with pytest.raises(IntegrityError):
        session.flush()
