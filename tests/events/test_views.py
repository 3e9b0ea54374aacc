from __future__ import annotations

from fastapi.testclient import TestClient


def test_audit_events_are_my_organisations_newest_first(client: TestClient, login, demo) -> None:
    headers = login("admin@xinghe.example")
    body = client.get("/api/v1/audit-events", headers=headers, params={"limit": 200}).json()
    org = demo.organisations["星河直播"].id
    assert body["total"] == len(body["items"]) > 0
    assert {item["organisation_id"] for item in body["items"]} == {org}
    ids = [item["id"] for item in body["items"]]
    assert ids == sorted(ids, reverse=True)
    one = client.get(f"/api/v1/audit-events/{ids[0]}", headers=headers).json()
    assert one["hash"] == body["items"][0]["hash"]


def test_audit_events_need_authentication(client: TestClient, demo) -> None:
    assert client.get("/api/v1/audit-events").status_code == 401
