from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.complaints import flows, intake
from liveqc.db import tenancy
from tests.factories.complaints import World, build_world

PASSWORD = "pw-123456789"


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    with session_factory() as session, session.begin():
        return build_world(session)


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def sign_in(client: TestClient, email: str) -> None:
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def file_one(client: TestClient, world: World) -> str:
    token = csrf(client, f"/complaints/file?q={world.toy.name}")
    response = client.post(
        "/complaints/file",
        data={
            "csrf": token,
            "product_id": str(world.toy.id),
            "contact_phone": "13812345678",
            "order_number": "DY1",
            "description": "遥控车收到就是坏的，轮子一开就掉",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_public_form_files_and_status_page_shows_no_pii(client: TestClient, world) -> None:
    form = client.get(f"/complaints/file?q={world.toy.name}")
    assert world.toy.name in form.text and "csrf" in form.text
    location = file_one(client, world)
    status = client.get(location)
    assert status.status_code == 200
    assert "LQ-" in status.text and "13812345678" not in status.text and "DY1<" not in status.text


def test_public_form_without_csrf_is_refused(client: TestClient, world) -> None:
    client.get("/complaints/file")
    response = client.post("/complaints/file", data={"description": "坏了坏了坏了"})
    assert response.status_code == 400


def test_form_errors_are_shown_not_500(client: TestClient, world) -> None:
    token = csrf(client, "/complaints/file")
    response = client.post(
        "/complaints/file",
        data={"csrf": token, "organisation_id": str(world.agency.id), "description": "短"},
    )
    assert response.status_code == 422 and "description" in response.text


def test_queue_detail_and_actions_for_after_sales(client: TestClient, world) -> None:
    file_one(client, world)
    sign_in(client, world.after_sales.user.email)
    queue = client.get("/complaints")
    assert queue.status_code == 200 and "13812345678" in queue.text
    complaint_id = re.search(r'href="/complaints/(\d+)"', queue.text).group(1)  # type: ignore[union-attr]
    detail = client.get(f"/complaints/{complaint_id}")
    token = re.search(r'name="csrf" value="([^"]+)"', detail.text).group(1)  # type: ignore[union-attr]
    done = client.post(
        f"/complaints/{complaint_id}/action",
        data={"csrf": token, "action": "acknowledge"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'value="investigate"' in client.get(f"/complaints/{complaint_id}").text
    assert client.get("/complaints/signals").status_code == 200


def test_queue_needs_sign_in(client: TestClient, world) -> None:
    response = client.get("/complaints", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_consumer_disputes_a_rejection_on_the_status_page(
    client: TestClient, world, session_factory
) -> None:
    location = file_one(client, world)
    code = location.rsplit("/", 1)[-1]
    with session_factory() as session, session.begin():
        complaint = intake.get_by_tracking_code(session, code)
        tenancy.set_organisation(session, world.agency.id)
        for step in ("acknowledge", "investigate"):
            getattr(flows, step)(session, complaint, actor=world.after_sales)
        flows.reject(session, complaint, actor=world.after_sales, reason="已超过退货期限")
    token = csrf(client, location)
    early = client.post(f"{location}/dispute", data={"csrf": token, "reason": "我"})
    assert "reason" in early.text
    done = client.post(f"{location}/dispute", data={"csrf": token, "reason": "签收第三天就申请了"})
    assert done.status_code == 200 and "调查中" in done.text


def test_form_offers_sessions_and_batch_and_detail_shows_claims(client: TestClient, world) -> None:
    form = client.get(f"/complaints/file?q={world.toy.name}")
    assert f'name="live_session_id" value="{world.live.id}"' in form.text
    assert world.live.title in form.text and world.other_live.title not in form.text
    assert 'name="batch"' in form.text
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/complaints/file",
        data={
            "csrf": token,
            "product_id": str(world.toy.id),
            "live_session_id": str(world.live.id),
            "batch": "LOT-7788",
            "contact_phone": "13812345678",
            "order_number": "DY2",
            "description": "收到的东西质量很差，主播说是全网第一，用了两天就坏了",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    sign_in(client, world.after_sales.user.email)
    queue = client.get("/complaints")
    complaint_id = re.search(r'href="/complaints/(\d+)"', queue.text).group(1)  # type: ignore[union-attr]
    detail = client.get(f"/complaints/{complaint_id}").text
    assert "LOT-7788" in detail and "全网第一" in detail and "absolute_term" in detail
    assert f'href="/live-sessions/{world.live.id}"' in detail
    signals = client.get("/complaints/signals").text
    assert "LOT-7788" in signals
