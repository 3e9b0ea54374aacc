"""GET /api/v1/search: grouped JSON, tenancy, problem+json for bad queries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def test_search_groups_results_by_kind_with_counts(client: TestClient, login: Any) -> None:
    headers = login("qc@xinghe.example")
    response = client.get("/api/v1/search", params={"q": "精华"}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert [g["kind"] for g in body["groups"]] == [
        "products",
        "live_sessions",
        "complaints",
        "findings",
    ]
    assert body["total"] == sum(g["total"] for g in body["groups"])
    products = body["groups"][0]
    assert products["total"] >= 1
    assert all("精华" in i["title"] or "精华" in i["detail"] for i in products["items"])
    assert products["items"][0]["url"].startswith("/products/")


def test_search_one_kind_pages_with_limit_and_offset(client: TestClient, login: Any) -> None:
    headers = login("qc@xinghe.example")
    params: dict[str, Any] = {"q": "a", "kind": "products", "limit": 1}
    first = client.get("/api/v1/search", params=params, headers=headers).json()
    second = client.get("/api/v1/search", params={**params, "offset": 1}, headers=headers).json()
    assert [g["kind"] for g in first["groups"]] == ["products"]
    if first["groups"][0]["total"] > 1:
        assert first["groups"][0]["items"] != second["groups"][0]["items"]


def test_search_does_not_cross_organisations(client: TestClient, login: Any) -> None:
    mine = client.get(
        "/api/v1/search", params={"q": "磁力片"}, headers=login("qc@qinghe.example")
    ).json()
    theirs = client.get(
        "/api/v1/search", params={"q": "磁力片"}, headers=login("qc@xinghe.example")
    ).json()
    assert mine["groups"][0]["total"] >= 1 and theirs["groups"][0]["total"] == 0


@pytest.mark.parametrize(
    ("params", "detail"),
    [({"q": ""}, "q: type something"), ({"q": "长" * 101}, "q: at most 100 characters")],
)
def test_empty_or_too_long_query_is_a_problem(
    client: TestClient, login: Any, params: dict[str, str], detail: str
) -> None:
    response = client.get("/api/v1/search", params=params, headers=login("qc@xinghe.example"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]


def test_unknown_kind_and_no_token_are_refused(client: TestClient, login: Any) -> None:
    headers = login("qc@xinghe.example")
    bad = client.get("/api/v1/search", params={"q": "x", "kind": "orders"}, headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/v1/search", params={"q": "x"}).status_code == 401
