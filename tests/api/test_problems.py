from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient

from liveqc.errors import InvalidTransition

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(f"#{code}")
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_404_for_an_unknown_row_and_an_unknown_path(client: TestClient, login) -> None:
    body = assert_problem(
        client.get("/api/v1/products/424242", headers=login("qc@xinghe.example")), 404, "not-found"
    )
    assert body["instance"] == "/api/v1/products/424242"
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "not-found")


def test_401_and_403(client: TestClient, login) -> None:
    assert_problem(client.get("/api/v1/products"), 401, "authentication-required")
    assert_problem(
        client.get("/api/v1/users", headers=login("qc@xinghe.example")), 403, "permission-denied"
    )


def test_422_lists_each_invalid_field(client: TestClient, login) -> None:
    response = client.post(
        "/api/v1/products",
        headers=login("qc@xinghe.example"),
        json={"supplier_id": "abc", "name": "", "category": "spaceships"},
    )
    body = assert_problem(response, 422, "request-validation")
    fields = {item["field"] for item in body["errors"]}
    assert {"supplier_id", "sku", "name", "category"} <= fields
    assert "supplier_id" in body["detail"]


def test_422_for_query_and_path_parameters(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    body = assert_problem(
        client.get("/api/v1/products", headers=headers, params={"limit": 0}),
        422,
        "request-validation",
    )
    assert body["errors"][0]["field"] == "limit"
    assert_problem(client.get("/api/v1/products/abc", headers=headers), 422, "request-validation")


def test_malformed_json_body_is_422(client: TestClient, demo) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "request-validation")


def test_domain_errors_map_through_one_table(client: TestClient) -> None:
    router = APIRouter()

    @router.get("/api/v1/_test/transition")
    def boom() -> None:
        raise InvalidTransition("Complaint 42 is closed; cannot escalate")

    client.app.include_router(router)
    body = assert_problem(client.get("/api/v1/_test/transition"), 409, "invalid-transition")
    assert body["detail"] == "Complaint 42 is closed; cannot escalate"


def test_unexpected_errors_are_500_without_their_text(client: TestClient, caplog) -> None:
    router = APIRouter()

    @router.get("/api/v1/_test/crash")
    def crash() -> None:
        raise RuntimeError("connection string postgresql://u:hunter2@db")

    client.app.include_router(router)
    response = client.get("/api/v1/_test/crash")
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert body["request_id"] in body["detail"]
    assert "RuntimeError" in caplog.text


def test_out_of_range_ids_and_odd_headers_are_4xx(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    for path in (
        "/api/v1/products/99999999999999999999",
        "/api/v1/products/-1",
        "/api/v1/suppliers/0",
        "/api/v1/auth/tokens/3000000000",
    ):
        assert client.get(path, headers=headers).status_code == 422, path
    for value in ("abc", "١٢".encode(), "1; drop", "99999999999", "²".encode()):
        response = client.get("/api/v1/me", headers={**headers, "X-Liveqc-Org": value})
        assert 400 <= response.status_code < 500, value


def test_nul_bytes_are_refused_not_crashing(client: TestClient, login) -> None:
    headers = login("admin@xinghe.example")
    supplier_id = client.get("/api/v1/suppliers", headers=headers).json()["items"][0]["id"]
    response = client.post(
        "/api/v1/products",
        headers=headers,
        json={
            "supplier_id": supplier_id,
            "sku": "XH-\u0000",
            "name": "a\u0000b",
            "category": "food",
        },
    )
    assert 400 <= response.status_code < 500
    login_nul = client.post(
        "/api/v1/auth/login", json={"email": "qc\u0000@xinghe.example", "password": "x"}
    )
    assert 400 <= login_nul.status_code < 500


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.put("/api/v1/products"), 405, "method-not-allowed")


def test_every_problem_code_is_documented() -> None:
    from pathlib import Path

    from liveqc import errors
    from liveqc.api.problems import HTTP_CODES

    doc = (Path(__file__).parents[2] / "docs" / "problems.md").read_text(encoding="utf-8")
    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.LiveQCError)
    }
    codes |= {code for code, _ in HTTP_CODES.values()} | {"internal-error", "invalid-data"}
    missing = sorted(code for code in codes if f"`{code}`" not in doc)
    assert not missing
