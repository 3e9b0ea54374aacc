from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liveqc.compliance.engines import engines
from liveqc.compliance.schemas import MAX_BATCH
from liveqc.config import Settings
from tests.factories.compliance import load_demo

SCAN = "/api/v1/compliance/scan"
CONTRACT_KEYS = {
    "code",
    "rule",
    "severity",
    "start",
    "end",
    "match",
    "basis",
    "message",
    "suggestion",
}


@pytest.fixture(autouse=True)
def fresh_engines() -> Iterator[None]:
    engines.clear()
    yield
    engines.wait_all()
    engines.clear()


@pytest.fixture
def demo(
    session_factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Any:
    return load_demo(session_factory, settings, monkeypatch)


@pytest.fixture
def xinghe(login: Any) -> dict[str, str]:
    headers: dict[str, str] = login("compliance@xinghe.example")
    return headers


@pytest.fixture
def qinghe(login: Any) -> dict[str, str]:
    headers: dict[str, str] = login("admin@qinghe.example")
    return headers


def test_single_utterance_has_the_contract_shape(client: TestClient, xinghe: Any) -> None:
    text = "家人们，全网最低价，加微信下单"
    response = client.post(SCAN, json={"text": text, "category": "cosmetics"}, headers=xinghe)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == 1 and body["scan_id"] is None
    assert body["version"] == body["catalogue_version"] and len(body["version"]) >= 8
    assert body["findings"]
    for finding in body["findings"]:
        assert set(finding) == CONTRACT_KEYS
        assert text[finding["start"] : finding["end"]] == finding["match"]
    assert {"price_fraud", "off_platform_transaction"} <= {f["code"] for f in body["findings"]}


def test_batch_keeps_order_ids_and_per_utterance_context(client: TestClient, xinghe: Any) -> None:
    utterances = [
        {"id": "u1", "text": "这款面霜能美白祛斑"},
        {
            "id": "u2",
            "text": "这款面霜能美白祛斑",
            "facts": {
                "registrations": ["special_cosmetic"],
                "efficacy_evidence": ["whitening", "freckle"],
            },
        },
        {"text": "今天天气不错"},
    ]
    body = {"utterances": utterances, "category": "cosmetics"}
    response = client.post(SCAN, json=body, headers=xinghe)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["total"] == 3 and data["version"] == data["catalogue_version"]
    assert [r["id"] for r in data["results"]] == ["u1", "u2", 3]
    first, second, third = data["results"]
    assert {f["code"] for f in first["findings"]} == {"efficacy_unsupported"}
    assert second["findings"] == [] and third["findings"] == []


def test_batch_limit_is_enforced_and_named(client: TestClient, xinghe: Any) -> None:
    at_limit = {"utterances": [{"text": "好"}] * MAX_BATCH}
    assert client.post(SCAN, json=at_limit, headers=xinghe).status_code == 200
    over = {"utterances": [{"text": "好"}] * (MAX_BATCH + 1)}
    response = client.post(SCAN, json=over, headers=xinghe)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "request-validation"
    assert "utterances" in problem["detail"]
    assert any("1000" in e["message"] for e in problem["errors"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "最好", "category": "spaceships"}, "category"),
        ({"text": "最好", "facts": {"colour": "red"}}, "facts"),
        ({"text": "最好", "scene": "radio"}, "scene"),
        ({"utterances": [{"text": "最好", "category": "x"}]}, "utterances.0.category"),
        ({"utterances": [{"text": "最好", "facts": {"spf": "x"}}]}, "utterances.0.facts"),
        ({"utterances": [{"id": "a"}]}, "utterances.0.text"),
    ],
)
def test_unknown_context_is_a_422_naming_the_field(
    client: TestClient, xinghe: Any, body: dict[str, Any], field: str
) -> None:
    response = client.post(SCAN, json=body, headers=xinghe)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "body", [{}, {"text": "a", "utterances": [{"text": "b"}]}, {"utterances": []}]
)
def test_exactly_one_form_is_required(
    client: TestClient, xinghe: Any, body: dict[str, Any]
) -> None:
    assert client.post(SCAN, json=body, headers=xinghe).status_code == 422


def test_scan_does_not_store_unless_asked(client: TestClient, xinghe: Any) -> None:
    before = client.get("/api/v1/compliance/scans", headers=xinghe).json()["total"]
    client.post(SCAN, json={"text": "全网最低价"}, headers=xinghe)
    assert client.get("/api/v1/compliance/scans", headers=xinghe).json()["total"] == before
    body = {
        "utterances": [{"id": "s1", "text": "全网最低价"}],
        "store": True,
        "source_type": "script",
    }
    data = client.post(SCAN, json=body, headers=xinghe).json()
    scan_id = data["results"][0]["scan_id"]
    assert isinstance(scan_id, int)
    listing = client.get("/api/v1/compliance/scans", headers=xinghe).json()
    assert listing["total"] == before + 1 and listing["items"][0]["id"] == scan_id
    stored = client.get(f"/api/v1/compliance/scans/{scan_id}", headers=xinghe).json()
    assert stored["source_type"] == "script" and stored["source_id"] == "s1"
    assert stored["catalogue_version"] == data["catalogue_version"]
    assert [f["match"] for f in stored["findings"]] == [
        f["match"] for f in data["results"][0]["findings"]
    ]


def test_viewer_roles_cannot_store(client: TestClient, login: Any) -> None:
    inspector = login("inspector@binjiang.example")
    assert client.post(SCAN, json={"text": "最好"}, headers=inspector).status_code == 200
    response = client.post(SCAN, json={"text": "最好", "store": True}, headers=inspector)
    assert response.status_code == 403


def test_findings_filters_and_review(client: TestClient, xinghe: Any, login: Any) -> None:
    url = "/api/v1/compliance/findings"
    data = client.get(url, params={"code": "off_platform_transaction"}, headers=xinghe).json()
    assert data["total"] >= 1
    assert all(f["code"] == "off_platform_transaction" for f in data["items"])
    finding = data["items"][0]
    assert client.get(f"{url}/{finding['id']}", headers=xinghe).json() == finding
    host = login("qc@xinghe.example")
    review = {"reason": "主播口误，已在下一句更正"}
    assert (
        client.post(f"{url}/{finding['id']}/accept", json=review, headers=host).status_code == 403
    )
    assert (
        client.post(
            f"{url}/{finding['id']}/accept", json={"reason": ""}, headers=xinghe
        ).status_code
        == 422
    )
    response = client.post(f"{url}/{finding['id']}/accept", json=review, headers=xinghe)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    again = client.post(f"{url}/{finding['id']}/accept", json=review, headers=xinghe)
    assert again.status_code == 409 and again.json()["code"] == "invalid-transition"
    accepted = client.get(url, params={"status": "accepted"}, headers=xinghe).json()["items"]
    assert finding["id"] in [f["id"] for f in accepted]
    events = client.get("/api/v1/audit-events", headers=login("admin@xinghe.example")).json()
    assert any(
        e["object_type"] == "compliance_findings" and e["action"] == "accept"
        for e in events["items"]
    )
    assert client.get(url, params={"status": "closed"}, headers=xinghe).status_code == 422


def test_dictionary_hot_swap_over_the_api(client: TestClient, xinghe: Any) -> None:
    text = "这口锅真是煮饭小钢炮"
    assert client.post(SCAN, json={"text": text}, headers=xinghe).json()["findings"] == []
    entry = {"kind": "banned", "phrase": "小钢炮", "code": "absolute_term", "severity": "high"}
    created = client.post("/api/v1/compliance/dictionary", json=entry, headers=xinghe)
    assert created.status_code == 201, created.text
    (finding,) = client.post(SCAN, json={"text": text}, headers=xinghe).json()["findings"]
    assert (finding["match"], finding["severity"]) == ("小钢炮", "high")
    entry_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/compliance/dictionary/{entry_id}", json={"is_active": False}, headers=xinghe
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert client.post(SCAN, json={"text": text}, headers=xinghe).json()["findings"] == []
    listing = client.get("/api/v1/compliance/dictionary", headers=xinghe).json()
    assert listing["version"] >= 2 and entry_id in [e["id"] for e in listing["items"]]
    gone = client.delete(f"/api/v1/compliance/dictionary/{entry_id}", headers=xinghe)
    assert gone.status_code == 204
    missing = client.get(f"/api/v1/compliance/dictionary/{entry_id}", headers=xinghe)
    assert missing.status_code == 404


def test_allow_list_over_the_api(client: TestClient, qinghe: Any) -> None:
    text = "我们是行业第一品牌"
    assert client.post(SCAN, json={"text": text}, headers=qinghe).json()["findings"]
    entry = {"kind": "allow", "phrase": "行业第一品牌", "note": "已核实的官方称号"}
    assert (
        client.post("/api/v1/compliance/dictionary", json=entry, headers=qinghe).status_code == 201
    )
    assert client.post(SCAN, json={"text": text}, headers=qinghe).json()["findings"] == []


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"kind": "banned", "phrase": "小钢炮"}, "code"),
        ({"kind": "banned", "phrase": "小钢炮", "code": "rudeness"}, "code"),
        ({"kind": "secret", "phrase": "小钢炮"}, "kind"),
        ({"kind": "allow", "phrase": ""}, "phrase"),
    ],
)
def test_bad_dictionary_entry_is_a_422(
    client: TestClient, xinghe: Any, entry: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/compliance/dictionary", json=entry, headers=xinghe)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_dictionary_writes_need_admin_or_compliance_reviewer(
    client: TestClient, login: Any
) -> None:
    entry = {"kind": "allow", "phrase": "第一课"}
    qc = login("qc@xinghe.example")
    assert client.post("/api/v1/compliance/dictionary", json=entry, headers=qc).status_code == 403
    assert client.get("/api/v1/compliance/dictionary", headers=qc).status_code == 200


def test_tenancy_b_cannot_see_a(client: TestClient, xinghe: Any, qinghe: Any) -> None:
    data = client.post(SCAN, json={"text": "全网最低价", "store": True}, headers=xinghe).json()
    scan_id = data["scan_id"]
    assert client.get(f"/api/v1/compliance/scans/{scan_id}", headers=qinghe).status_code == 404
    theirs = client.get("/api/v1/compliance/scans", params={"limit": 200}, headers=qinghe).json()
    assert scan_id not in [s["id"] for s in theirs["items"]] and theirs["total"] >= 1
    finding_id = client.get(
        "/api/v1/compliance/findings", params={"scan_id": scan_id}, headers=xinghe
    ).json()["items"][0]["id"]
    assert (
        client.get(f"/api/v1/compliance/findings/{finding_id}", headers=qinghe).status_code == 404
    )
    review = {"reason": "x"}
    url = f"/api/v1/compliance/findings/{finding_id}/accept"
    assert client.post(url, json=review, headers=qinghe).status_code == 404
    mine = client.get("/api/v1/compliance/dictionary", headers=xinghe).json()["items"]
    theirs_dict = client.get("/api/v1/compliance/dictionary", headers=qinghe).json()["items"]
    assert mine and theirs_dict
    assert not {e["id"] for e in mine} & {e["id"] for e in theirs_dict}
    url = f"/api/v1/compliance/dictionary/{mine[0]['id']}"
    assert client.get(url, headers=qinghe).status_code == 404
    assert client.delete(url, headers=qinghe).status_code == 404


def test_disabled_rules_over_the_api(client: TestClient, qinghe: Any) -> None:
    text = "有问题加微信聊"
    (finding,) = client.post(SCAN, json={"text": text}, headers=qinghe).json()["findings"]
    url = "/api/v1/compliance/disabled-rules"
    bad = client.post(url, json={"rule": "no.such_rule"}, headers=qinghe)
    assert bad.status_code == 422 and "rule" in bad.json()["detail"]
    created = client.post(url, json={"rule": finding["rule"], "reason": "测试"}, headers=qinghe)
    assert created.status_code == 201
    assert client.post(SCAN, json={"text": text}, headers=qinghe).json()["findings"] == []
    listed = client.get(url, headers=qinghe).json()
    assert finding["rule"] in [r["rule"].split("/")[-1] for r in listed["items"]]
    assert listed["total"] == len(listed["items"]) == 2  # with the demo's switched-off rule
    row_id = created.json()["id"]
    assert client.delete(f"{url}/{row_id}", headers=qinghe).status_code == 204
    assert client.post(SCAN, json={"text": text}, headers=qinghe).json()["findings"]


def test_rules_catalogue_lists_basis(client: TestClient, xinghe: Any) -> None:
    data = client.get("/api/v1/compliance/rules", headers=xinghe).json()
    assert data["total"] == len(data["items"]) > 12
    assert all(r["basis"] and r["code"] for r in data["items"])
    codes = client.get("/api/v1/compliance/rules", params={"code": "superstition"}, headers=xinghe)
    assert {r["code"] for r in codes.json()["items"]} == {"superstition"}
    one = data["items"][0]
    assert client.get(f"/api/v1/compliance/rules/{one['key']}", headers=xinghe).json() == one
    assert client.get(f"/api/v1/compliance/rules/{one['id']}", headers=xinghe).status_code == 200
    assert client.get("/api/v1/compliance/rules/no.such", headers=xinghe).status_code == 404


def test_scan_needs_a_token(client: TestClient) -> None:
    assert client.post(SCAN, json={"text": "最好"}).status_code == 401
