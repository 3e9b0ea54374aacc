from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from liveqc.accounts import service as accounts
from tests.factories.complaints import World, build_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLES = ("after_sales", "admin", "qc", "other_admin", "association_staff", "inspector")


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> tuple[World, dict[str, dict[str, str]]]:
    with session_factory() as session, session.begin():
        built = build_world(session)
        headers = {
            role: {
                "Authorization": "Bearer "
                + accounts.create_token(session, user=getattr(built, role).user)[1]
            }
            for role in ROLES
        }
    return built, headers


def body(world: World, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "product_id": world.toy.id,
        "contact_phone": "13812345678",
        "order_number": "DY20260610123456",
        "description": "遥控车收到就是坏的，轮子一开就掉，根本没法玩",
    }
    values.update(overrides)
    return values


def test_file_without_an_account_and_follow_by_tracking_code(client: TestClient, world) -> None:
    w, _ = world
    response = client.post("/api/v1/public/complaints", json=body(w))
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    status = client.get(f"/api/v1/public/complaints/{code}")
    assert status.status_code == 200
    data = status.json()
    assert data["status"] == "received" and data["product_name"] == "遥控越野车"
    assert [item["action"] for item in data["history"]] == ["create"]
    assert "13812345678" not in status.text and "DY2026" not in status.text
    assert client.get("/api/v1/public/complaints/LQ-AAAA-BBBB-CCCC-DDDD").status_code == 404


def test_bad_input_names_the_field(client: TestClient, world) -> None:
    w, _ = world
    response = client.post("/api/v1/public/complaints", json=body(w, contact_phone="abc"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_phone"


def test_photos_are_sniffed_and_served_only_as_attachments(client: TestClient, world) -> None:
    w, headers = world
    fields = {key: str(value) for key, value in body(w).items()}
    fake = client.post(
        "/api/v1/public/complaints",
        data=fields,
        files={"photos": ("x.png", b"<html><script>alert(1)</script>", "image/png")},
    )
    assert fake.status_code == 422 and "photos" in fake.json()["detail"]
    ok = client.post(
        "/api/v1/public/complaints", data=fields, files={"photos": ("a.png", PNG, "text/html")}
    )
    assert ok.status_code == 201, ok.text
    complaint = client.get("/api/v1/complaints", headers=headers["after_sales"]).json()["items"][0]
    attachment_id = complaint["attachment_ids"][0]
    photo = client.get(
        f"/api/v1/complaints/{complaint['id']}/attachments/{attachment_id}",
        headers=headers["after_sales"],
    )
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"
    assert photo.headers["content-disposition"].startswith("attachment")
    assert photo.headers["x-content-type-options"] == "nosniff"


def test_rate_limit_per_contact(client: TestClient, world) -> None:
    w, _ = world
    codes = [
        client.post("/api/v1/public/complaints", json=body(w, order_number=f"O{n}")).status_code
        for n in range(6)
    ]
    assert codes == [201] * 5 + [429]
    again = client.post("/api/v1/public/complaints", json=body(w, order_number="O9"))
    assert again.json()["code"] == "rate-limited" and int(again.headers["retry-after"]) > 0
    other = client.post(
        "/api/v1/public/complaints", json=body(w, order_number="O10", contact_phone="13900001234")
    )
    assert other.status_code == 201


def test_duplicate_points_to_the_existing_tracking_code(client: TestClient, world) -> None:
    w, _ = world
    first = client.post("/api/v1/public/complaints", json=body(w)).json()
    again = client.post("/api/v1/public/complaints", json=body(w, description="遥控车是坏的开不动"))
    assert again.status_code == 200
    assert again.json()["is_duplicate"] and again.json()["tracking_code"] == first["tracking_code"]


def test_pii_is_masked_unless_after_sales_or_admin(client: TestClient, world) -> None:
    w, headers = world
    client.post("/api/v1/public/complaints", json=body(w))
    full = client.get("/api/v1/complaints", headers=headers["after_sales"]).json()["items"][0]
    masked = client.get("/api/v1/complaints", headers=headers["qc"]).json()["items"][0]
    assert full["contact_phone"] == "13812345678" and full["tracking_code"]
    assert masked["contact_phone"] == "138****5678" and masked["order_number"] == "DY****3456"
    assert masked["tracking_code"] is None and masked["is_pii_masked"]
    csv_masked = client.get("/api/v1/complaints/export?format=csv", headers=headers["qc"])
    assert "138****5678" in csv_masked.text and "13812345678" not in csv_masked.text
    assert csv_masked.headers["content-disposition"].startswith("attachment")
    xlsx = client.get("/api/v1/complaints/export?format=xlsx", headers=headers["admin"])
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert "13812345678" in [cell.value for cell in sheet[2]]


def test_escalated_cases_are_visible_read_only_and_masked(client: TestClient, world) -> None:
    w, headers = world
    client.post("/api/v1/public/complaints", json=body(w))
    client.post(
        "/api/v1/public/complaints", json=body(w, order_number="X2", contact_phone="13900000002")
    )
    items = client.get("/api/v1/complaints", headers=headers["after_sales"]).json()["items"]
    target = items[0]["id"]
    assert (
        client.get("/api/v1/complaints", headers=headers["association_staff"]).json()["total"] == 0
    )
    escalate = client.post(
        f"/api/v1/complaints/{target}/escalate",
        headers=headers["after_sales"],
        json={"organisation_id": w.association.id, "reason": "消费者申请调解"},
    )
    assert escalate.status_code == 200
    seen = client.get("/api/v1/complaints", headers=headers["association_staff"]).json()
    assert [row["id"] for row in seen["items"]] == [target]
    assert seen["items"][0]["is_pii_masked"]
    assert (
        client.get(f"/api/v1/complaints/{target}", headers=headers["inspector"]).status_code == 404
    )
    action = client.post(
        f"/api/v1/complaints/{target}/acknowledge", headers=headers["association_staff"]
    )
    assert action.status_code in (403, 404)
    assert (
        client.get(f"/api/v1/complaints/{target}", headers=headers["other_admin"]).status_code
        == 404
    )


def test_workflow_over_http_refuses_forbidden_steps(client: TestClient, world) -> None:
    w, headers = world
    client.post("/api/v1/public/complaints", json=body(w))
    cid = client.get("/api/v1/complaints", headers=headers["after_sales"]).json()["items"][0]["id"]
    staff = headers["after_sales"]
    early = client.post(
        f"/api/v1/complaints/{cid}/resolve", headers=staff, json={"remedy": "return"}
    )
    assert early.status_code == 409 and early.json()["code"] == "invalid-transition"
    assert (
        client.post(f"/api/v1/complaints/{cid}/acknowledge", headers=headers["qc"]).status_code
        == 403
    )
    for step in ("acknowledge", "investigate"):
        assert client.post(f"/api/v1/complaints/{cid}/{step}", headers=staff).status_code == 200
    done = client.post(
        f"/api/v1/complaints/{cid}/resolve",
        headers=staff,
        json={"remedy": "refund", "amount": "89.9"},
    )
    assert done.json()["status"] == "resolved"


def test_public_product_search(client: TestClient, world) -> None:
    w, _ = world
    found = client.get("/api/v1/public/products", params={"q": "越野车"}).json()
    assert any(item["id"] == w.toy.id for item in found["items"])
    assert set(found["items"][0]) == {"id", "name", "brand", "agency_id", "agency_name"}


def test_every_listed_row_is_at_its_collection_path(client: TestClient, world) -> None:
    w, headers = world
    for n in range(3):
        client.post(
            "/api/v1/public/complaints",
            json=body(w, order_number=f"R{n}", contact_phone=f"1390000010{n}"),
        )
    staff = headers["after_sales"]
    for path in (
        "/api/v1/complaints",
        "/api/v1/complaints/queue",
        "/api/v1/complaints/alerts",
        "/api/v1/complaints/signals",
    ):
        listed = client.get(path, headers=staff).json()
        assert listed["items"], path
        for row in listed["items"]:
            assert client.get(f"{path}/{row['id']}", headers=staff).status_code == 200, path
    products = client.get("/api/v1/public/products", params={"q": "遥控"}).json()["items"]
    for row in products:
        assert client.get(f"/api/v1/public/products/{row['id']}").json() == row
    assert client.get("/api/v1/public/products/2147483647").status_code == 404


def test_demo_gives_each_agency_complaints_alerts_and_signals(client: TestClient, login) -> None:
    for email in ("aftersales@xinghe.example", "admin@qinghe.example"):
        headers = login(email)
        for path in (
            "/api/v1/complaints",
            "/api/v1/complaints/queue",
            "/api/v1/complaints/alerts",
            "/api/v1/complaints/signals",
        ):
            assert client.get(path, headers=headers).json()["total"] > 0, (email, path)
    xinghe = client.get("/api/v1/complaints", headers=login("aftersales@xinghe.example")).json()
    assert any(row["is_urgent"] and row["category"] == "safety_incident" for row in xinghe["items"])
    assert any(row["is_overdue"] for row in xinghe["items"])
    escalated = client.get("/api/v1/complaints", headers=login("staff@xiaoxie.example")).json()
    assert escalated["total"] == 1 and escalated["items"][0]["is_pii_masked"]
    assert (
        client.get("/api/v1/complaints", headers=login("inspector@binjiang.example")).json()[
            "total"
        ]
        == 0
    )


def test_policy_is_read_by_members_and_changed_by_admins(client: TestClient, world) -> None:
    _, headers = world
    assert (
        client.get("/api/v1/complaint-policy", headers=headers["qc"]).json()[
            "resolution_working_days"
        ]
        == 10
    )
    new = {"first_response_working_days": 2, "resolution_working_days": 7, "revetting_threshold": 5}
    assert (
        client.put("/api/v1/complaint-policy", headers=headers["qc"], json=new).status_code == 403
    )
    changed = client.put("/api/v1/complaint-policy", headers=headers["admin"], json=new)
    assert changed.status_code == 200 and changed.json()["revetting_threshold"] == 5
    bad = client.put(
        "/api/v1/complaint-policy",
        headers=headers["admin"],
        json={**new, "first_response_working_days": 9},
    )
    assert bad.status_code == 422


def test_public_search_returns_the_agencys_live_sessions(client: TestClient, world) -> None:
    w, _ = world
    found = client.get("/api/v1/public/products", params={"q": w.toy.name}).json()
    assert [row["id"] for row in found["sessions"]] == [w.live.id]
    assert set(found["sessions"][0]) == {"id", "room", "title", "date", "agency_id", "agency_name"}
    by_room = client.get("/api/v1/public/products", params={"q": w.other_live.room}).json()
    assert by_room["items"] == [] and [row["id"] for row in by_room["sessions"]] == [
        w.other_live.id
    ]


def test_batch_live_session_and_claims_reach_staff_and_signals(client: TestClient, world) -> None:
    w, headers = world
    text = "收到的东西质量很差，主播说是全网第一，用了两天就坏了"
    filed = client.post(
        "/api/v1/public/complaints",
        json=body(w, description=text, batch="20260601A", live_session_id=w.live.id),
    )
    assert filed.status_code == 201, filed.text
    wrong = client.post(
        "/api/v1/public/complaints",
        json=body(
            w, order_number="X2", contact_phone="13900000099", live_session_id=w.other_live.id
        ),
    )
    assert wrong.status_code == 422 and "live_session_id" in wrong.text
    staff = headers["after_sales"]
    row = client.get("/api/v1/complaints", headers=staff).json()["items"][0]
    assert row["batch"] == "20260601A" and row["live_session_id"] == w.live.id
    assert row["category"] == "false_advertising"
    assert {"code": "absolute_term", "match": "全网第一"} in row["claims"]
    signals = client.get("/api/v1/complaints/signals", headers=staff).json()["items"]
    batches = [s for s in signals if s["dimension"] == "batch"]
    assert {s["key"] for s in batches} == {f"{w.toy.id}:20260601A"}
