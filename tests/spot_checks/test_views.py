"""The spot-check API end to end: plan → draw → sample → results → conclude → objection →
publication, with the agency's side and the public feed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

INSPECTOR = "inspector@binjiang.example"


def test_a_regulator_runs_a_spot_check_through_the_api(client: TestClient, sc_login: Any) -> None:
    reg, xinghe = sc_login(INSPECTOR), sc_login("admin@xinghe.example")
    agency_products = client.get("/api/v1/products", headers=xinghe).json()["items"]
    org_id = agency_products[0]["organisation_id"]
    plan = client.post(
        "/api/v1/spot-check-plans",
        headers=reg,
        json={"name": "API 抽检", "organisation_ids": [org_id], "sample_count": 1,
              "seed": "api-1", "method": "simple"},
    )  # fmt: skip
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    drawn = client.post(f"/api/v1/spot-check-plans/{plan_id}/draw", headers=reg).json()
    assert drawn["status"] == "drawn" and len(drawn["selected_ids"]) == 1
    assert all(c["id"] in {p["id"] for p in agency_products} for c in drawn["candidates"])
    again = client.post(f"/api/v1/spot-check-plans/{plan_id}/draw", headers=reg)
    assert again.status_code == 409
    verify = client.get(f"/api/v1/spot-check-plans/{plan_id}/verify", headers=reg).json()
    assert verify["matches"] is True

    checks = client.get("/api/v1/spot-checks", headers=reg, params={"plan_id": plan_id}).json()
    check_id = checks["items"][0]["id"]
    sample = {"sampled_at": "2026-06-01T02:00:00Z", "holder": "抽样员", "order_number": "DY9",
              "batch": "20260601", "live_room": "星河直播间"}  # fmt: skip
    r = client.post(f"/api/v1/spot-checks/{check_id}/sample", headers=reg, json=sample)
    assert r.status_code == 200 and r.json()["custody"][0]["holder"] == "抽样员"
    results = {"lab_name": "检测院", "tested_at": "2026-06-03T02:00:00Z",
               "items": [{"name": "菌落总数", "limit": "≤1000", "result": "5600",
                          "unit": "CFU/g"}]}  # fmt: skip
    r = client.post(f"/api/v1/spot-checks/{check_id}/results", headers=reg, json=results)
    assert r.json()["verdict"] == "fail" and r.json()["items"][0]["verdict"] == "fail"
    r = client.post(f"/api/v1/spot-checks/{check_id}/conclude", headers=reg)
    assert r.status_code == 200 and r.json()["status"] == "notified"
    assert r.json()["objection_deadline"]

    # the agency sees its check and the notice, and objects
    assert client.get(f"/api/v1/spot-checks/{check_id}", headers=xinghe).status_code == 200
    notices = client.get("/api/v1/spot-check-notices", headers=xinghe).json()["items"]
    assert any(n["spot_check_id"] == check_id and n["kind"] == "failed" for n in notices)
    objection = client.post(f"/api/v1/spot-checks/{check_id}/objection", headers=xinghe,
                            json={"reason": "申请复检"})  # fmt: skip
    assert objection.status_code == 201, objection.text
    oid = objection.json()["id"]
    assert client.get(f"/api/v1/spot-check-objections/{oid}", headers=reg).status_code == 200
    decided = client.post(f"/api/v1/spot-check-objections/{oid}/decision", headers=reg,
                          json={"accept": False, "note": "维持"})  # fmt: skip
    assert decided.json()["status"] == "rejected"

    # publication: draft → publish → frozen → correction
    draft = client.post("/api/v1/publications", headers=reg,
                        json={"kind": "result", "spot_check_id": check_id})  # fmt: skip
    assert draft.status_code == 201
    pub = draft.json()
    assert pub["data"]["failed_items"][0]["name"] == "菌落总数" and pub["data"]["batch"]
    pid = pub["id"]
    edited = client.patch(f"/api/v1/publications/{pid}", headers=reg, json={"body": "说明"})
    assert edited.status_code == 200
    assert client.get(f"/api/v1/public/spot-checks/{pid}").status_code == 404  # a draft
    assert client.post(f"/api/v1/publications/{pid}/publish", headers=reg).status_code == 200
    assert client.patch(f"/api/v1/publications/{pid}", headers=reg,
                        json={"title": "改"}).status_code == 409  # fmt: skip
    assert client.delete(f"/api/v1/publications/{pid}", headers=reg).status_code == 409
    fix = client.post(f"/api/v1/publications/{pid}/corrections", headers=reg,
                      json={"body": "批次号更正", "data": {"batch": "20260602"}})  # fmt: skip
    assert fix.status_code == 201 and fix.json()["corrects_id"] == pid
    public = client.get(f"/api/v1/public/spot-checks/{pid}").json()
    assert public["corrected_by_id"] == fix.json()["id"]
    assert public["data"]["batch"] == "20260601"  # the original is unchanged


def test_other_agencies_do_not_see_a_check(client: TestClient, sc_login: Any) -> None:
    xinghe, qinghe = sc_login("admin@xinghe.example"), sc_login("admin@qinghe.example")
    mine = {c["id"] for c in client.get("/api/v1/spot-checks", headers=xinghe).json()["items"]}
    theirs = {c["id"] for c in client.get("/api/v1/spot-checks", headers=qinghe).json()["items"]}
    assert mine and theirs and not mine & theirs
    for check_id in theirs:
        assert client.get(f"/api/v1/spot-checks/{check_id}", headers=xinghe).status_code == 404


def test_agency_cannot_run_regulator_steps(client: TestClient, sc_login: Any) -> None:
    xinghe = sc_login("admin@xinghe.example")
    check_id = client.get("/api/v1/spot-checks", headers=xinghe).json()["items"][0]["id"]
    r = client.post(f"/api/v1/spot-checks/{check_id}/conclude", headers=xinghe)
    assert r.status_code == 403


def test_bad_input_names_the_field(client: TestClient, sc_login: Any) -> None:
    reg = sc_login(INSPECTOR)
    r = client.post("/api/v1/spot-check-plans", headers=reg,
                    json={"name": "x", "sample_count": 0})  # fmt: skip
    assert r.status_code == 422 and "sample_count" in r.json()["detail"]
    r = client.post("/api/v1/spot-check-plans", headers=reg,
                    json={"name": "x", "sample_count": 2, "method": "stratified"})  # fmt: skip
    assert r.status_code == 422 and "stratify_by" in r.json()["detail"]
    r = client.post("/api/v1/spot-check-plans", headers=reg,
                    json={"name": "x", "sample_count": 2, "weights": {"1": -1}})  # fmt: skip
    assert r.status_code == 422 and "weights" in r.json()["detail"]


def test_lists_return_rows_for_each_agency(client: TestClient, sc_login: Any) -> None:
    for email in ("admin@xinghe.example", "admin@qinghe.example"):
        headers = sc_login(email)
        for path in ("/api/v1/spot-checks", "/api/v1/spot-check-notices",
                     "/api/v1/spot-check-objections", "/api/v1/access-log"):  # fmt: skip
            body = client.get(path, headers=headers).json()
            assert body["total"] > 0 and body["items"], (email, path)
            first = body["items"][0]["id"]
            assert client.get(f"{path}/{first}", headers=headers).status_code == 200, path


def test_public_feed_needs_no_login(client: TestClient, sc_demo: Any) -> None:
    body = client.get("/api/v1/public/spot-checks").json()
    assert body["total"] == 3
    kinds = {e["kind"] for e in body["items"]}
    assert kinds == {"result", "notice"}
    result = next(e for e in body["items"] if e["kind"] == "result")
    assert result["regulator"] == "滨江区市场监管局"
    assert {"product", "brand", "supplier", "batch", "failed_items", "date"} <= set(result["data"])


def test_exports_are_attachments(client: TestClient, sc_login: Any) -> None:
    reg = sc_login(INSPECTOR)
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("json", b"{")):
        r = client.get("/api/v1/spot-checks/export", headers=reg, params={"format": fmt})
        assert r.status_code == 200, fmt
        assert r.headers["content-disposition"].startswith("attachment")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.content.startswith(magic)
    assert client.get("/api/v1/spot-checks/export", headers=reg,
                      params={"format": "html"}).status_code == 422  # fmt: skip
    log = client.get("/api/v1/access-log", headers=sc_login("admin@qinghe.example")).json()
    assert any(e["action"] == "export" for e in log["items"])


def test_escalated_complaints_are_visible_read_only(
    client: TestClient, login: Any, demo: Any
) -> None:
    # the full demo: the complaints domain escalates one complaint to the consumer association
    regulator = login(INSPECTOR)
    association = login("staff@xiaoxie.example")
    seen = client.get("/api/v1/regulator/complaints", headers=regulator).json()
    theirs = client.get("/api/v1/regulator/complaints", headers=association).json()
    assert seen["total"] >= 1 and theirs["total"] >= 1
    row = theirs["items"][0]
    assert "contact_phone" not in row
    detail = client.get(f"/api/v1/regulator/complaints/{row['id']}", headers=association)
    assert detail.status_code == 200
    xinghe_id = demo.organisations["星河直播"].id
    owner = login(
        "admin@xinghe.example" if row["organisation_id"] == xinghe_id else "admin@qinghe.example"
    )
    log = client.get("/api/v1/access-log", headers=owner).json()["items"]
    assert any(e["object_type"] == "complaints" for e in log)
    agency = client.get("/api/v1/regulator/complaints", headers=login("admin@xinghe.example"))
    assert agency.status_code == 403


def test_regulator_reads_sessions_and_findings_of_covered_agencies(
    client: TestClient, login: Any, demo: Any
) -> None:
    regulator = login(INSPECTOR)
    for path in ("/api/v1/regulator/live-sessions", "/api/v1/regulator/findings"):
        body = client.get(path, headers=regulator, params={"limit": 200}).json()
        assert body["total"] > 0, path
        row_id = body["items"][0]["id"]
        assert client.get(f"{path}/{row_id}", headers=regulator).status_code == 200
    sessions = client.get("/api/v1/regulator/live-sessions", headers=regulator).json()["items"]
    owners = {s["organisation_id"] for s in sessions}
    assert owners == {demo.organisations[n].id for n in ("星河直播", "青禾优选")}
    log = client.get("/api/v1/access-log", headers=login("admin@xinghe.example")).json()
    assert {"live_sessions", "compliance_findings"} & {e["object_type"] for e in log["items"]}
    agency = client.get("/api/v1/regulator/findings", headers=login("admin@xinghe.example"))
    assert agency.status_code == 403
