"""The live-sessions API: sessions, ingest (HTTP and WebSocket), alerts stream, dispositions,
report downloads and tenancy."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from liveqc.products.models import ProductStatus
from tests.factories.live_sessions import make_product

BASE = "/api/v1/live-sessions"


@pytest.fixture
def xinghe(login) -> dict[str, str]:
    return login("compliance@xinghe.example")


def approved(session_factory, demo, org: str = "星河直播", **kw: Any) -> int:
    with session_factory() as session, session.begin():
        return make_product(session, demo, org=org, **kw).id


def create(client: TestClient, headers, product_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "platform": "抖音",
        "room": "测试间",
        "title": "API 测试场",
        "scheduled_at": "2026-12-01T20:00:00+08:00",
        "hosts": [{"name": "主播甲", "birth_date": "1995-01-01"}],
        "lineup": [{"product_id": product_id, "script": ""}],
        **extra,
    }
    response = client.post(BASE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def go_live(client, headers, live_id: int) -> None:
    assert client.post(f"{BASE}/{live_id}/ready", headers=headers).status_code == 200


def segment(n: int, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "segment_id": f"seg-{n}",
        "seq": n,
        "start_ms": n * 1000,
        "end_ms": n * 1000 + 800,
        "text": text,
        **extra,
    }


def test_lists_have_rows_for_each_agency_and_hide_the_others(client, login) -> None:
    xh, qh = login("qc@xinghe.example"), login("qc@qinghe.example")
    mine = {r["id"] for r in client.get(BASE, headers=xh).json()["items"]}
    theirs = {r["id"] for r in client.get(BASE, headers=qh).json()["items"]}
    assert mine and theirs and not mine & theirs
    some = next(iter(theirs))
    for path in ("", "/alerts", "/ingest-state", "/prices", "/report"):
        assert client.get(f"{BASE}/{some}{path}", headers=xh).status_code == 404, path
        assert client.get(f"{BASE}/{some}{path}", headers=qh).status_code == 200, path


def test_demo_sessions_have_alerts_and_the_virtual_host_label(client, login) -> None:
    qh = login("qc@qinghe.example")
    rows = client.get(BASE, headers=qh).json()["items"]
    assert any(r["has_virtual_host"] for r in rows)
    ended = next(r for r in rows if r["status"] == "ended")
    alerts = client.get(f"{BASE}/{ended['id']}/alerts", headers=qh).json()
    assert alerts["total"] > 0 and {"code", "basis", "sentence", "at_ms"} <= set(alerts["items"][0])


def test_bad_input_is_a_422_naming_the_field(client, xinghe, session_factory, demo) -> None:
    product = approved(session_factory, demo)
    young = [{"name": "童星", "birth_date": "2015-01-01"}]
    response = client.post(
        BASE,
        json={
            "platform": "抖音",
            "room": "r",
            "title": "t",
            "scheduled_at": "2026-12-01T20:00:00+08:00",
            "hosts": young,
            "lineup": [{"product_id": product}],
        },
        headers=xinghe,
    )
    assert response.status_code == 422 and "birth_date" in response.json()["detail"]
    vetting = approved(session_factory, demo, status=ProductStatus.VETTING)
    live = create(client, xinghe, product)
    response = client.post(
        f"{BASE}/{live['id']}/lineup", json={"product_id": vetting}, headers=xinghe
    )
    assert response.status_code == 422 and "approved" in response.json()["detail"]
    response = client.post(
        f"{BASE}/{live['id']}/segments",
        json={"segments": [{"segment_id": "a", "seq": 1, "start_ms": 5, "end_ms": 1, "text": "x"}]},
        headers=xinghe,
    )
    assert response.status_code == 422


def test_http_batch_ingest_is_idempotent(client, xinghe, session_factory, demo) -> None:
    live = create(client, xinghe, approved(session_factory, demo))
    go_live(client, xinghe, live["id"])
    batch = {"segments": [segment(1, "这是全网最低价"), segment(2, "大家好")]}
    first = client.post(f"{BASE}/{live['id']}/segments", json=batch, headers=xinghe).json()
    assert [a["status"] for a in first["acks"]] == ["stored", "stored"]
    assert first["acks"][0]["alerts"]
    again = client.post(f"{BASE}/{live['id']}/segments", json=batch, headers=xinghe).json()
    assert [a["status"] for a in again["acks"]] == ["duplicate", "duplicate"]
    alerts = client.get(f"{BASE}/{live['id']}/alerts", headers=xinghe).json()
    assert alerts["total"] == len(first["acks"][0]["alerts"])
    state = client.get(f"{BASE}/{live['id']}/ingest-state", headers=xinghe).json()
    assert state == {
        "live_session_id": live["id"],
        "status": "live",
        "last_seq": 2,
        "last_segment_id": "seg-2",
        "expected_seq": 3,
    }


def test_websocket_ingest_acks_and_resumes_after_reconnect(
    client, xinghe, session_factory, demo
) -> None:
    live = create(client, xinghe, approved(session_factory, demo))
    go_live(client, xinghe, live["id"])
    url = f"{BASE}/{live['id']}/ingest"
    with client.websocket_connect(url, headers=xinghe) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["last_seq"] == 0
        ws.send_text(json.dumps(segment(1, "大家好")))
        ws.send_text(json.dumps(segment(2, "全网最低价")))
        acks = [ws.receive_json(), ws.receive_json()]
    assert [(a["segment_id"], a["status"], a["last_seq"]) for a in acks] == [
        ("seg-1", "stored", 1),
        ("seg-2", "stored", 2),
    ]
    assert acks[1]["alerts"][0]["basis"]
    token = xinghe["Authorization"].split()[1]
    with client.websocket_connect(f"{url}?token={token}") as ws:
        hello = ws.receive_json()
        assert hello["last_seq"] == 2 and hello["last_segment_id"] == "seg-2"
        ws.send_text(json.dumps(segment(2, "全网最低价")))
        assert ws.receive_json()["status"] == "duplicate"
        ws.send_text(json.dumps(segment(4, "跳号")))
        gap = ws.receive_json()
        assert gap["status"] == "gap" and gap["expected_seq"] == 3
        ws.send_text(json.dumps(segment(3, "第三句")))
        assert ws.receive_json()["status"] == "stored"


def test_websocket_refuses_bad_tokens_and_other_organisations(
    client, xinghe, login, session_factory, demo
) -> None:
    live = create(client, xinghe, approved(session_factory, demo))
    url = f"{BASE}/{live['id']}/ingest"
    for headers, code in (({}, 4401), (login("qc@qinghe.example"), 4404)):
        with client.websocket_connect(url, headers=headers) as ws:
            assert ws.receive_json()["type"] == "error"
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == code


def read_events(
    client, url: str, headers, *, ready: threading.Event | None = None, until: str = ""
) -> list[Any]:
    events: list[Any] = []
    with client.stream("GET", url, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("retry:") and ready is not None:
                ready.set()
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if until and events[-1]["code"] == until:
                    break
    return events


def test_alert_stream_sends_backlog_then_live_alerts(client, xinghe, session_factory, demo) -> None:
    live = create(client, xinghe, approved(session_factory, demo))
    go_live(client, xinghe, live["id"])
    batch = {"segments": [segment(1, "全网最低价")]}
    client.post(f"{BASE}/{live['id']}/segments", json=batch, headers=xinghe)
    url = f"{BASE}/{live['id']}/alerts/stream?max_seconds=0.3"
    backlog = read_events(client, url, xinghe)
    assert backlog and all(e["live_session_id"] == live["id"] for e in backlog)
    last = backlog[-1]["id"]
    assert read_events(client, url, {**xinghe, "Last-Event-ID": str(last)}) == []

    ready, got = threading.Event(), []
    stream_url = f"{BASE}/{live['id']}/alerts/stream?max_seconds=10"
    headers = {**xinghe, "Last-Event-ID": str(last)}
    reader = threading.Thread(
        target=lambda: got.extend(
            read_events(client, stream_url, headers, ready=ready, until="off_platform_transaction")
        )
    )
    reader.start()
    assert ready.wait(5)
    sent = {"segments": [segment(2, "加微信私聊", kind="transcript")]}
    client.post(f"{BASE}/{live['id']}/segments", json=sent, headers=xinghe)
    reader.join(10)
    assert [e["code"] for e in got] and all(e["id"] > last for e in got)
    assert "off_platform_transaction" in {e["code"] for e in got}
    assert got[0]["sentence"] == "加微信私聊" and got[0]["at_ms"] == 2000


def test_dispositions_through_the_api_are_audited(client, xinghe, login, session_factory, demo):
    live = create(client, xinghe, approved(session_factory, demo))
    go_live(client, xinghe, live["id"])
    batch = {"segments": [segment(1, "全网最低价"), segment(2, "刚才说错了，以页面为准")]}
    acks = client.post(f"{BASE}/{live['id']}/segments", json=batch, headers=xinghe).json()["acks"]
    alert_id = acks[0]["alerts"][0]["id"]
    path = f"{BASE}/{live['id']}/alerts/{alert_id}/disposition"
    qc = login("qc@xinghe.example")
    assert client.post(path, json={"disposition": "escalated"}, headers=qc).status_code == 403
    missing = client.post(path, json={"disposition": "accepted"}, headers=xinghe)
    assert missing.status_code == 422
    fixed = {"disposition": "corrected_on_air", "corrected_at_ms": 2100}
    body = client.post(path, json=fixed, headers=xinghe).json()
    assert body["disposition"] == "corrected_on_air" and body["correction_segment_id"] == "seg-2"
    events = client.get("/api/v1/audit-events", headers=login("admin@xinghe.example")).json()
    assert any(
        e["action"] == "dispose" and e["object_id"] == str(alert_id) for e in events["items"]
    )


def test_report_downloads_are_attachments(client, login) -> None:
    qh = login("qc@qinghe.example")
    ended = next(r for r in client.get(BASE, headers=qh).json()["items"] if r["status"] == "ended")
    html = client.get(f"{BASE}/{ended['id']}/report", headers=qh)
    assert html.status_code == 200
    assert html.headers["content-disposition"].startswith("attachment")
    assert html.headers["x-content-type-options"] == "nosniff"
    assert "AI" in html.text and "minor_protection" in html.text
    pdf = client.get(f"{BASE}/{ended['id']}/report", params={"format": "pdf"}, headers=qh)
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"


def test_retention_policy_api(client, login) -> None:
    admin, qc = login("admin@xinghe.example"), login("qc@xinghe.example")
    assert client.get(f"{BASE}/retention", headers=qc).json() == {"years": 3, "minimum_years": 3}
    assert client.put(f"{BASE}/retention", json={"years": 2}, headers=admin).status_code == 422
    assert client.put(f"{BASE}/retention", json={"years": 5}, headers=qc).status_code == 403
    assert client.put(f"{BASE}/retention", json={"years": 5}, headers=admin).json()["years"] == 5
