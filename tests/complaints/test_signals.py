from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.complaints import flows, signals
from liveqc.complaints.models import AlertKind, ComplaintAlert
from tests.factories.complaints import TUESDAY, build_world, file


@pytest.fixture
def revettings(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record calls to products.flows.open_revetting."""
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("liveqc.products.flows")

    def open_revetting(session: Session, **kwargs: Any) -> None:
        calls.append(kwargs)

    fake.open_revetting = open_revetting  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "liveqc.products.flows", fake)
    return calls


def test_the_decision() -> None:
    assert not signals.should_open_revetting(2, 3)
    assert signals.should_open_revetting(3, 3)
    assert signals.should_open_revetting(0, 3, safety_confirmed=True)


def test_a_burst_on_one_product_opens_its_revetting_once(
    session: Session, revettings: list[dict[str, Any]]
) -> None:
    world = build_world(session)
    for n in range(4):
        file(
            session,
            world,
            now=TUESDAY + dt.timedelta(hours=n),
            order_number=f"B{n}",
            contact_phone=f"1390000000{n}",
        )
    assert [call["product_id"] for call in revettings] == [world.toy.id]
    assert revettings[0]["source"] == "complaints"
    alerts = session.scalars(select(ComplaintAlert)).all()
    assert len(alerts) == 1 and alerts[0].kind is AlertKind.PRODUCT_BURST
    assert alerts[0].complaint_count == 3 and alerts[0].is_revetting_opened


def test_complaints_outside_the_window_do_not_count(
    session: Session, revettings: list[dict[str, Any]]
) -> None:
    world = build_world(session)
    for n in range(3):
        file(
            session,
            world,
            now=TUESDAY + dt.timedelta(days=5 * n),
            order_number=f"W{n}",
            contact_phone=f"1390000001{n}",
        )
    assert revettings == []


def test_a_confirmed_safety_incident_opens_revetting(
    session: Session, revettings: list[dict[str, Any]]
) -> None:
    world = build_world(session)
    complaint = file(
        session,
        world,
        product_id=world.food.id,
        description="吃了黑芝麻丸嘴巴起疹子，过敏了去医院打针",
    )
    flows.confirm_safety_incident(session, complaint, actor=world.after_sales, now=TUESDAY)
    assert revettings and revettings[0]["product_id"] == world.food.id
    alert = session.scalars(select(ComplaintAlert)).one()
    assert alert.kind is AlertKind.SAFETY_INCIDENT and alert.complaint_id == complaint.id


def test_without_the_product_hook_the_alert_is_still_stored(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "liveqc.products.flows", types.ModuleType("empty"))
    world = build_world(session)
    for n in range(3):
        file(session, world, order_number=f"H{n}", contact_phone=f"1390000002{n}")
    alert = session.scalars(select(ComplaintAlert)).one()
    assert not alert.is_revetting_opened


def test_counts_and_rates_per_product_batch_host_and_session(
    session: Session, revettings: list[dict[str, Any]]
) -> None:
    world = build_world(session)
    for n in range(2):
        file(
            session,
            world,
            order_number=f"S{n}",
            contact_phone=f"1390000003{n}",
            host_name="小美",
            live_session_id=world.live.id,
            room_reference="小美的直播间",
            batch="20260601A" if n == 0 else " 20260601A ",
        )
    file(
        session,
        world,
        order_number="S5",
        contact_phone="13900000035",
        batch="20260515B",
    )
    file(
        session,
        world,
        now=TUESDAY - dt.timedelta(days=20),
        product_id=world.food.id,
        order_number="S9",
        contact_phone="13900000039",
        host_name="阿强",
    )
    found = signals.signals(session, now=TUESDAY, organisation_id=world.agency.id)
    week = {(s.dimension, s.key): s for s in found if s.window_days == 7}
    month = {(s.dimension, s.key): s for s in found if s.window_days == 30}
    assert week[("product", str(world.toy.id))].count == 3
    batch = week[("batch", f"{world.toy.id}:20260601A")]
    assert batch.count == 2 and batch.label == "遥控越野车 · 20260601A"
    assert batch.rate_per_day == round(2 / 7, 3) and batch.share == round(2 / 3, 3)
    assert week[("batch", f"{world.toy.id}:20260515B")].count == 1
    assert ("batch", f"{world.food.id}:") not in week
    assert not [s for s in found if s.dimension == "batch" and s.key.endswith(":")]
    assert week[("host", "小美")].rate_per_day == round(2 / 7, 3)
    assert week[("live_session", str(world.live.id))].label == "小美的直播间"
    assert ("host", "阿强") not in week and month[("host", "阿强")].share == round(1 / 4, 3)
