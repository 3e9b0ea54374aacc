"""GET /api/v1/dashboards/home: the home page's figures as JSON."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_json_carries_the_same_panels_and_counts_as_the_page(
    client: TestClient, demo: Any, login: Any
) -> None:
    response = client.get("/api/v1/dashboards/home", headers=login("aftersales@xinghe.example"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["views"] == ["after_sales"]
    [queue] = body["panels"]
    figures = {f["key"]: f for f in queue["figures"]}
    assert figures["open"]["href"] == "/complaints"
    assert figures["open"]["count"] == len(figures["open"]["items"]) > 0
    assert all(item["href"].startswith("/complaints/") for item in queue["items"])


def test_json_needs_a_token(client: TestClient, demo: Any) -> None:
    response = client.get("/api/v1/dashboards/home")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
