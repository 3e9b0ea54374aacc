"""The console page /reports and its downloads."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liveqc.db.types import utcnow

YEAR = str(utcnow().year)


def console_login(client: TestClient, email: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": "demo-password", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_page_shows_the_report_with_charts_and_download_links(client, demo) -> None:
    console_login(client, "qc@xinghe.example")
    page = client.get("/reports")
    assert page.status_code == 200
    assert "蓝皮书报告" in page.text and "一、行业发展现状" in page.text
    assert page.text.count("<svg") >= 6
    assert "<style" not in page.text  # the console's CSP refuses inline styles
    assert 'href="/reports/assets/bluebook.css"' in page.text
    for fmt in ("html", "pdf", "xlsx"):
        assert f"/reports/bluebook.{fmt}?period={YEAR}" in page.text
    css = client.get("/reports/assets/bluebook.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    page = client.get("/reports", params={"period": "2001", "lang": "en"})
    assert page.status_code == 200
    assert "Blue Book (2001)" in page.text and "no live sessions" in page.text
    page = client.get("/reports", params={"period": "next"})
    assert page.status_code == 422 and "period must be" in page.text


def test_downloads_are_attachments_and_need_a_signed_in_user(client, demo) -> None:
    response = client.get("/reports", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    console_login(client, "qc@xinghe.example")
    pdf = client.get("/reports/bluebook.pdf", params={"period": YEAR})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment")
    html = client.get("/reports/bluebook.html", params={"period": YEAR, "lang": "en"})
    assert "Scope: 星河直播" in html.text
    assert client.get("/reports/bluebook.docx", params={"period": YEAR}).status_code in (404, 422)
