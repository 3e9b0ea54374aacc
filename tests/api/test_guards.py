"""Text no database can store (NUL, unpaired surrogates) is a 422 naming the field, on every
API route and both backends, before a handler can fail on it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import status
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from liveqc.api.guards import is_storable, unstorable_fields

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("text", "storable"),
    [
        ("家人们好", True),
        ("emoji 😀", True),
        ("tab\tand newline\n", True),
        ("a\x00b", False),
        ("lone \ud800 surrogate", False),
        ("trailing \udfff", False),
    ],
)
def test_is_storable(text: str, storable: bool) -> None:
    assert is_storable(text) is storable


def test_unstorable_fields_are_located_in_nested_json() -> None:
    value = {"ok": "fine", "items": [{"text": "x"}, {"text": "a\x00"}], "bad\ud800key": 1}
    assert list(unstorable_fields(value, ("body",))) == [
        ("body", "items", "1", "text"),
        ("body", "bad\\ud800key"),
    ]


def _fields(response: Any) -> list[str | None]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "request-validation"
    return [item["field"] for item in body["errors"]]


def test_nul_in_a_query_parameter_is_named(client: TestClient, login: Any) -> None:
    headers = login("admin@xinghe.example")
    response = client.get("/api/v1/products", params={"q": "a\x00b"}, headers=headers)
    assert _fields(response) == ["q"]
    assert "q" in response.json()["detail"]


def test_nul_in_a_path_parameter_is_named(client: TestClient, demo: Any) -> None:
    response = client.get("/api/v1/public/complaints/ABC%00DEF")
    assert _fields(response) == ["tracking_code"]


def test_unpaired_surrogate_in_a_json_body_is_named(client: TestClient, login: Any) -> None:
    headers = {**login("admin@xinghe.example"), **JSON}
    body = '{"kind": "banned", "phrase": "最好\\ud800"}'
    response = client.post("/api/v1/compliance/dictionary", content=body, headers=headers)
    assert _fields(response) == ["phrase"]


def test_escaped_pairs_and_literal_backslashes_pass(client: TestClient, login: Any) -> None:
    headers = {**login("admin@xinghe.example"), **JSON}
    # An escaped surrogate pair is one emoji; an escaped backslash before "u0000" is plain text.
    body = '{"text": "最好的产品 \\ud83d\\ude00 \\\\u0000"}'
    response = client.post("/api/v1/compliance/scan", content=body, headers=headers)
    assert response.status_code == 200, response.text


def test_malformed_json_is_left_to_the_body_parser(client: TestClient, login: Any) -> None:
    headers = {**login("admin@xinghe.example"), **JSON}
    response = client.post("/api/v1/compliance/scan", content='{"text": "\\u0000', headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


def test_nul_in_a_websocket_query_closes_the_socket(client: TestClient, demo: Any) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/api/v1/live-sessions/1/ingest?token=a%00b") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == status.WS_1008_POLICY_VIOLATION
