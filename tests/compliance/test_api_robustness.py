"""Regressions found by fuzzing the API: inputs that used to end in a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

SCAN = "/api/v1/compliance/scan"


@pytest.mark.parametrize(
    "body",
    [
        '{"text": "全网最低价\\ud800"}',
        '{"text": "全网最低价\\udc00", "store": true}',
        '{"utterances": [{"id": "u1", "text": "ok"}, {"id": "u2", "text": "最好\\ud83d"}]}',
    ],
)
def test_scan_with_an_unpaired_surrogate_is_a_422_naming_the_text(
    client: TestClient, login: Any, body: str
) -> None:
    """A lone surrogate cannot be encoded as UTF-8; scanning and storing it used to raise."""
    headers = {**login("compliance@xinghe.example"), "content-type": "application/json"}
    response = client.post(SCAN, content=body, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "request-validation"
    assert [item["field"] for item in problem["errors"]] in (["text"], ["utterances.1.text"])


def test_scan_of_a_surrogate_pair_still_finds_the_claim(client: TestClient, login: Any) -> None:
    headers = {**login("compliance@xinghe.example"), "content-type": "application/json"}
    body = '{"text": "全网最低价 \\ud83d\\ude00", "store": true}'
    response = client.post(SCAN, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["findings"]
