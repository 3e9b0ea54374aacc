from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from liveqc.complaints import intake, service
from liveqc.complaints.classify import ComplaintCategory
from liveqc.db import tenancy
from liveqc.errors import ValidationFailed
from tests.factories.complaints import TUESDAY, build_world, complaint_data, file


def test_public_filing_classifies_and_lands_in_the_products_agency(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, None)
    text = "吃了直播间买的黑芝麻丸，全家上吐下泻，孩子去医院挂了水"
    complaint = file(session, world, product_id=world.food.id, description=text)
    assert complaint.organisation_id == world.agency.id
    assert complaint.category is ComplaintCategory.SAFETY_INCIDENT and complaint.is_urgent
    assert intake.get_by_tracking_code(session, complaint.tracking_code.lower()) is complaint


def test_public_filing_refuses_a_product_of_another_agency_than_chosen(session: Session) -> None:
    world = build_world(session)
    data = complaint_data(product_id=world.toy.id, organisation_id=world.other.id)
    with pytest.raises(ValidationFailed, match="organisation_id"):
        intake.file_public(session, data=data, now=TUESDAY)


def test_same_order_and_same_problem_links_to_the_existing_case(session: Session) -> None:
    world = build_world(session)
    first = file(session, world)
    again = intake.file_public(
        session,
        data=complaint_data(product_id=world.toy.id, description="遥控车是坏的，轮子掉了，开不了"),
        now=TUESDAY,
    )
    assert again.is_duplicate and again.complaint.id == first.id
    other_problem = intake.file_public(
        session,
        data=complaint_data(
            product_id=world.toy.id, description="下单十天了还没发货，物流一直不动"
        ),
        now=TUESDAY,
    )
    assert not other_problem.is_duplicate
    assert [e.action for e in service.history(session, first)] == ["create", "duplicate_submission"]


def test_public_product_search_shows_only_safe_fields(session: Session) -> None:
    world = build_world(session)
    found = intake.search_public_products(session, q="黑芝麻")
    mine = [row for row in found if row["id"] == world.food.id]
    assert mine and set(mine[0]) == {"id", "name", "brand", "agency_id", "agency_name"}
    assert intake.search_public_products(session, q="%") == []


def test_intake_errors_name_each_field() -> None:
    from fastapi.exceptions import RequestValidationError

    with pytest.raises(RequestValidationError) as caught:
        intake.parse_intake({"organisation_id": "1", "contact_email": "nope", "description": "x"})
    fields = {err["loc"][-1] for err in caught.value.errors()}
    assert {"contact_email", "description"} <= fields


def test_empty_form_fields_are_treated_as_absent() -> None:
    data = intake.parse_intake(
        {
            "organisation_id": "3",
            "product_id": "",
            "purchase_date": "",
            "host_name": "",
            "contact_phone": "138 1234 5678",
            "description": "收到的东西是坏的",
        }
    )
    assert data.product_id is None and data.contact_phone == "13812345678"


def test_a_live_room_complaint_without_a_product_goes_to_the_named_agency(
    session: Session,
) -> None:
    world = build_world(session)
    data = complaint_data(organisation_id=world.other.id, room_reference="青青的直播间")
    filed = intake.file_public(session, data=data, now=TUESDAY)
    assert filed.complaint.organisation_id == world.other.id
    assert filed.complaint.product_id is None
    with pytest.raises(ValidationFailed, match="not an agency"):
        intake.file_public(
            session, data=complaint_data(organisation_id=world.regulator.id), now=TUESDAY
        )


def test_public_filing_names_a_live_session_of_the_same_agency_only(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, None)
    complaint = file(session, world, live_session_id=world.live.id, batch=" 20260601A ")
    assert complaint.live_session_id == world.live.id and complaint.batch == "20260601A"
    data = complaint_data(product_id=world.toy.id, live_session_id=world.other_live.id)
    with pytest.raises(ValidationFailed, match="live_session_id"):
        intake.file_public(session, data=data, now=TUESDAY)
    missing = complaint_data(organisation_id=world.agency.id, live_session_id=2_000_000_000)
    with pytest.raises(ValidationFailed, match="live_session_id"):
        intake.file_public(session, data=missing, now=TUESDAY)


def test_public_session_search_shows_only_room_title_and_date(session: Session) -> None:
    world = build_world(session)
    tenancy.set_organisation(session, None)
    by_agency = intake.search_public_sessions(session, agency_ids=[world.agency.id])
    assert [row["id"] for row in by_agency] == [world.live.id]
    assert set(by_agency[0]) == {"id", "room", "title", "date", "agency_id", "agency_name"}
    assert by_agency[0]["date"] == (TUESDAY - dt.timedelta(days=3)).date()
    by_text = intake.search_public_sessions(session, q=world.other_live.room)
    assert [row["id"] for row in by_text] == [world.other_live.id]
    assert intake.search_public_sessions(session, q="") == []
    assert intake.search_public_sessions(session, q="%_") == []
