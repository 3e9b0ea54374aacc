"""Jobs API: my jobs and one job, with tenancy and ownership."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.jobs.test_pages import start_import
from tests.web.test_views import sign_in


def test_list_and_read_my_jobs(client: TestClient, login: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    headers = login("qc@xinghe.example")
    page = client.get("/api/v1/jobs", headers=headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == 1 and body["items"][0]["id"] == job_id
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert job["kind"] == "products.import" and job["status"] == "succeeded"
    assert job["percent"] == 100 and job["result"]["accepted"] == 1
    assert job["result_ref"] == f"/products/import?job={job_id}"
    failed = client.get("/api/v1/jobs", headers=headers, params={"status": "failed"}).json()
    assert failed["total"] == 0


def test_someone_elses_job_is_not_found(client: TestClient, login: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    colleague = login("compliance@xinghe.example")
    other_agency = login("qc@qinghe.example")
    for headers in (colleague, other_agency):
        response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not-found"
        assert client.get("/api/v1/jobs", headers=headers).json()["total"] == 0


def test_jobs_api_needs_a_token_and_a_valid_status(client: TestClient, login: Any) -> None:
    assert client.get("/api/v1/jobs").status_code == 401
    headers = login("qc@xinghe.example")
    assert client.get("/api/v1/jobs", headers=headers, params={"status": "odd"}).status_code == 422


def test_a_regulator_runs_a_campaign_as_a_job(client: TestClient, login: Any) -> None:
    from datetime import date, timedelta

    headers = login("inspector@binjiang.example")
    campaign = client.post(
        "/api/v1/regulator/campaigns",
        headers=headers,
        json={
            "title": "价格欺诈专项",
            "codes": ["price_fraud"],
            "period_from": str(date.today() - timedelta(days=30)),
            "period_to": str(date.today()),
        },
    ).json()
    queued = client.post(f"/api/v1/regulator/campaigns/{campaign['id']}/run-job", headers=headers)
    assert queued.status_code == 202, queued.text
    assert (
        queued.json()["status"] == "queued" and queued.json()["kind"] == "spot_checks.campaign_run"
    )
    job = client.get(f"/api/v1/jobs/{queued.json()['id']}", headers=headers).json()
    assert job["status"] == "succeeded" and job["result"]["campaign_id"] == campaign["id"]
    ran = client.get(f"/api/v1/regulator/campaigns/{campaign['id']}", headers=headers).json()
    assert ran["run_at"] is not None
    missing = client.post("/api/v1/regulator/campaigns/99999/run-job", headers=headers)
    assert missing.status_code == 404
    agency = login("qc@xinghe.example")
    refused = client.post(f"/api/v1/regulator/campaigns/{campaign['id']}/run-job", headers=agency)
    assert refused.status_code == 403
