"""Console: the import page starts a job and shows its bar and report; the jobs pages, the
status JSON, the tray with unread notifications, downloads."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from tests.products.test_importing import good_row, xlsx
from tests.web.test_views import csrf_of, sign_in


def start_import(client: TestClient, rows: list[list[object]] | None = None) -> int:
    """Upload a product list on the import page; return the job it started."""
    token = csrf_of(client.get("/products/import").text)
    data = xlsx(rows if rows is not None else [good_row("JP-1")])
    response = client.post(
        "/products/import",
        data={"csrf": token},
        files={"file": ("list.xlsx", data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/products/import\?job=(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def test_import_page_shows_the_job_bar_and_then_the_report(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    page = client.get(f"/products/import?job={job_id}").text
    assert f'data-status-url="/jobs/{job_id}/status.json"' in page
    assert 'data-status="succeeded"' in page and 'value="100"' in page
    assert "JP-1" in page  # the row report of the finished job


def test_status_json_and_the_tray_until_the_job_is_seen(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    status = client.get(f"/jobs/{job_id}/status.json").json()
    assert status["status"] == "succeeded" and status["finished"] and status["percent"] == 100
    assert status["label"] == "商品导入" and status["status_text"] == "已完成"
    assert status["summary"] == "1 行通过，0 行未通过"
    assert status["result_ref"] == f"/products/import?job={job_id}"
    tray = client.get("/jobs/tray.json").json()
    assert tray["active"] == [] and [j["id"] for j in tray["unread"]] == [job_id]
    detail = client.get(f"/jobs/{job_id}")
    assert detail.status_code == 200 and "商品导入" in detail.text
    assert client.get("/jobs/tray.json").json()["unread"] == []  # opening it read it


def test_mark_all_read_needs_the_form_token(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    start_import(client)
    forged = client.post("/jobs/seen", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert len(client.get("/jobs/tray.json").json()["unread"]) == 1
    token = csrf_of(client.get("/jobs").text)
    done = client.post(
        "/jobs/seen", data={"csrf": token}, headers={"referer": "/products"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/products"
    assert client.get("/jobs/tray.json").json()["unread"] == []


def test_a_failed_import_says_why(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    token = csrf_of(client.get("/products/import").text)
    response = client.post(
        "/products/import",
        data={"csrf": token},
        files={"file": ("list.xlsx", b"no workbook", "application/octet-stream")},
    )
    assert 'data-status="failed"' in response.text
    assert "file: not an .xlsx workbook" in response.text


def test_jobs_page_lists_my_jobs_in_both_languages(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    page = client.get("/jobs").text
    assert "后台任务" in page and f'href="/jobs/{job_id}"' in page and "已完成" in page
    english = client.get("/lang/en", headers={"referer": "/jobs"}).text
    assert "Background jobs" in english and "Product import" in english


def test_the_header_carries_the_tray_and_its_script(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    home = client.get("/").text
    assert 'data-jobs-tray data-feed="/jobs/tray.json"' in home
    assert '<script src="/jobs/assets/jobs.js" defer></script>' in home
    script = client.get("/jobs/assets/jobs.js")
    assert script.status_code == 200 and "liveqc:job-finished" in script.text
    assert script.headers["content-type"].startswith("text/javascript")


def test_other_users_cannot_open_my_job(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    job_id = start_import(client)
    client.cookies.clear()
    sign_in(client, "qc@qinghe.example")
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}/status.json").status_code == 404
    assert client.get(f"/products/import?job={job_id}").status_code == 404


def test_a_finished_report_job_is_downloaded(client: TestClient, demo: Any) -> None:
    from liveqc.jobs import kinds
    from liveqc.jobs.deps import runner_for

    sign_in(client, "admin@xinghe.example")
    client.get("/")
    app: Any = client.app
    runner = runner_for(app)
    with app.state.session_factory() as session, session.begin():
        from liveqc.accounts import service as accounts
        from liveqc.db import tenancy

        user = accounts.get_user_or_raise(session, "admin@xinghe.example")
        tenancy.set_organisation(session, accounts.principal_for(user).organisation.id)
        params = {"period": str(date.today().year), "fmt": "html", "lang": "zh-CN"}
        job_id = runner.submit(session, kind=kinds.BLUEBOOK, params=params, user_id=user.id).id
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200, download.text
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["content-type"].startswith("text/html")
    assert "蓝皮书" in download.text
    client.cookies.clear()
    sign_in(client, "qc@xinghe.example")
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_reports_page_generates_the_blue_book_as_a_job(client: TestClient, demo: Any) -> None:
    sign_in(client, "admin@xinghe.example")
    year = str(date.today().year)
    page = client.get("/reports", params={"period": year, "lang": "en"}).text
    assert 'action="/reports/bluebook/jobs"' in page
    started = client.post(
        "/reports/bluebook/jobs",
        data={"csrf": csrf_of(page), "period": year, "lang": "en", "fmt": "xlsx"},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    job_url = started.headers["location"]
    detail = client.get(job_url).text
    assert 'data-status="succeeded"' in detail and f"{job_url}/download" in detail
    download = client.get(f"{job_url}/download")
    assert download.content.startswith(b"PK")
    assert f"bluebook-{year}-en.xlsx" in download.headers["content-disposition"]
    forged = client.post("/reports/bluebook/jobs", data={"csrf": "x", "period": year, "fmt": "pdf"})
    assert forged.status_code == 403
