"""Console pages: list, live monitor, session page with dispositions, report and downloads."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from liveqc.live_sessions.models import Alert, LiveSession


def console_login(client: TestClient, email: str) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": "demo-password", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


def sessions_of(session_factory, demo, org: str) -> list[LiveSession]:
    from liveqc.db import tenancy

    with session_factory() as session:
        tenancy.set_organisation(session, demo.organisations[org].id)
        return list(session.scalars(select(LiveSession).order_by(LiveSession.id)))


def test_list_and_monitor_pages(client, demo, session_factory) -> None:
    console_login(client, "qc@qinghe.example")
    page = client.get("/live-sessions")
    assert page.status_code == 200
    assert "青禾亲子好物" in page.text and "星河" not in page.text
    assert "AI 虚拟主播" in page.text
    monitor = client.get("/live-sessions/monitor")
    assert monitor.status_code == 200 and 'src="/live-sessions/assets/monitor.js"' in monitor.text
    assert "<script>" not in monitor.text  # CSP: no inline scripts
    script = client.get("/live-sessions/assets/monitor.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "EventSource" in script.text
    assert client.get("/live-sessions/assets/other.js").status_code == 404


def test_session_page_disposition_form_is_csrf_protected_and_audited(
    client, demo, session_factory
) -> None:
    csrf = console_login(client, "compliance@xinghe.example")
    ended = next(s for s in sessions_of(session_factory, demo, "星河直播") if s.ended_at)
    page = client.get(f"/live-sessions/{ended.id}")
    assert page.status_code == 200 and "price_fraud" in page.text
    with session_factory() as session:
        from liveqc.db import tenancy

        tenancy.set_organisation(session, ended.organisation_id)
        alert = session.scalars(
            select(Alert).where(Alert.live_session_id == ended.id, Alert.disposition == "open")
        ).first()
    url = f"/live-sessions/{ended.id}/alerts/{alert.id}/disposition"
    form = {"disposition": "accepted", "reason": "复核通过"}
    assert client.post(url, data={**form, "csrf": "wrong"}).status_code == 403
    missing = client.post(url, data={"disposition": "accepted", "csrf": csrf})
    assert missing.status_code == 200 and "reason" in missing.text
    done = client.post(url, data={**form, "csrf": csrf})
    assert done.status_code == 200 and "复核通过" in done.text


def test_other_agencies_session_page_is_not_found(client, demo, session_factory) -> None:
    console_login(client, "qc@xinghe.example")
    theirs = sessions_of(session_factory, demo, "青禾优选")[0]
    assert client.get(f"/live-sessions/{theirs.id}").status_code == 404
    assert client.get(f"/live-sessions/{theirs.id}/report").status_code == 404


def test_report_page_and_downloads(client, demo, session_factory) -> None:
    console_login(client, "qc@qinghe.example")
    ended = next(s for s in sessions_of(session_factory, demo, "青禾优选") if s.ended_at)
    page = client.get(f"/live-sessions/{ended.id}/report")
    assert page.status_code == 200
    assert "直播合规报告" in page.text and "AI 生成的虚拟主播" in page.text
    pdf = client.get(f"/live-sessions/{ended.id}/report.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment")
    html = client.get(f"/live-sessions/{ended.id}/report.html")
    assert html.headers["content-disposition"].startswith("attachment")


def test_pages_need_a_signed_in_user(client, demo) -> None:
    response = client.get("/live-sessions/monitor", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_session_stream_sends_the_backlog_to_the_signed_in_user(
    client, demo, session_factory
) -> None:
    console_login(client, "qc@qinghe.example")
    ended = next(s for s in sessions_of(session_factory, demo, "青禾优选") if s.ended_at)
    url = f"/live-sessions/{ended.id}/stream?max_seconds=0.2"
    with client.stream("GET", url) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines and all(f'"live_session_id":{ended.id}' in line for line in lines)
    with client.stream("GET", "/live-sessions/monitor/stream?max_seconds=0.2") as response:
        assert response.status_code == 200
        assert not [line for line in response.iter_lines() if line.startswith("data: ")]
