"""Tenancy through the API: agency A cannot read, list, change or guess agency B's rows."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liveqc.demo.credit_codes import credit_code


def ids(client: TestClient, headers, path: str) -> set[int]:
    body = client.get(path, headers=headers, params={"limit": 200}).json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_lists_exclude_other_organisations_rows(client: TestClient, login) -> None:
    xinghe, qinghe = login("qc@xinghe.example"), login("qc@qinghe.example")
    for path in ("/api/v1/products", "/api/v1/suppliers", "/api/v1/audit-events"):
        mine, theirs = ids(client, xinghe, path), ids(client, qinghe, path)
        assert mine and theirs and not mine & theirs, path


def test_other_organisations_rows_are_404_like_missing_rows(client: TestClient, login) -> None:
    xinghe, qinghe = login("qc@xinghe.example"), login("qc@qinghe.example")
    for path in ("/api/v1/products", "/api/v1/suppliers", "/api/v1/audit-events"):
        for row_id in ids(client, qinghe, path):
            theirs = client.get(f"{path}/{row_id}", headers=xinghe)
            assert theirs.status_code == 404, f"{path}/{row_id}"
            missing = client.get(f"{path}/987654321", headers=xinghe)
            assert theirs.json()["code"] == missing.json()["code"] == "not-found"
            assert client.get(f"{path}/{row_id}", headers=qinghe).status_code == 200


def test_guessing_every_id_finds_only_my_rows(client: TestClient, login) -> None:
    xinghe = login("qc@xinghe.example")
    mine = ids(client, xinghe, "/api/v1/products")
    found = {
        n
        for n in range(1, max(mine) + 20)
        if client.get(f"/api/v1/products/{n}", headers=xinghe).status_code == 200
    }
    assert found == mine


def test_cannot_attach_a_product_to_another_organisations_supplier(
    client: TestClient, login
) -> None:
    theirs = min(ids(client, login("qc@qinghe.example"), "/api/v1/suppliers"))
    response = client.post(
        "/api/v1/products",
        headers=login("qc@xinghe.example"),
        json={"supplier_id": theirs, "sku": "XH-900", "name": "测试", "category": "food"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation-failed"


def test_create_supplier_and_product_in_my_organisation(client: TestClient, login) -> None:
    headers = login("qc@qinghe.example")
    code = credit_code("330110", "MA2KX9P5")
    supplier = client.post(
        "/api/v1/suppliers",
        headers=headers,
        json={"name": "杭州新禾农业有限公司", "credit_code": code, "region": "浙江省杭州市余杭区"},
    )
    assert supplier.status_code == 201, supplier.text
    product = client.post(
        "/api/v1/products",
        headers=headers,
        json={
            "supplier_id": supplier.json()["id"],
            "sku": "QH-100",
            "name": "临安山核桃",
            "category": "agriculture",
            "specification": "500g",
        },
    )
    assert product.status_code == 201, product.text
    assert product.json()["status"] == "draft"
    pid = product.json()["id"]
    assert client.get(f"/api/v1/products/{pid}", headers=headers).json()["sku"] == "QH-100"
    assert (
        client.get(f"/api/v1/products/{pid}", headers=login("qc@xinghe.example")).status_code == 404
    )
    events = client.get("/api/v1/audit-events", headers=headers).json()["items"]
    assert events[0]["object_type"] == "products" and events[0]["object_id"] == str(pid)


def test_invalid_credit_code_and_duplicates_are_refused(client: TestClient, login) -> None:
    headers = login("admin@xinghe.example")
    bad = client.post(
        "/api/v1/suppliers",
        headers=headers,
        json={"name": "错码公司", "credit_code": "91330108MA2H7K3Q0A"},
    )
    assert bad.status_code == 422
    duplicate = client.post(
        "/api/v1/products",
        headers=headers,
        json={
            "supplier_id": min(ids(client, headers, "/api/v1/suppliers")),
            "sku": "XH-001",
            "name": "重复",
            "category": "food",
        },
    )
    assert duplicate.status_code == 409


def test_same_sku_may_exist_in_two_organisations(client: TestClient, login) -> None:
    headers = login("admin@qinghe.example")
    supplier_id = min(ids(client, headers, "/api/v1/suppliers"))
    response = client.post(
        "/api/v1/products",
        headers=headers,
        json={"supplier_id": supplier_id, "sku": "XH-001", "name": "同名SKU", "category": "toy"},
    )
    assert response.status_code == 201


def test_readers_cannot_create(client: TestClient, login) -> None:
    response = client.post(
        "/api/v1/products",
        headers=login("aftersales@xinghe.example"),
        json={"supplier_id": 1, "sku": "XH-901", "name": "x", "category": "food"},
    )
    assert response.status_code == 403


def test_list_filters_and_pagination(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    approved = client.get("/api/v1/products", headers=headers, params={"status": "approved"})
    assert approved.json()["total"] == 4
    assert {p["status"] for p in approved.json()["items"]} == {"approved"}
    page = client.get("/api/v1/products", headers=headers, params={"limit": 3, "offset": 6})
    assert page.json()["total"] == 8 and len(page.json()["items"]) == 2
    cosmetics = client.get("/api/v1/products", headers=headers, params={"category": "cosmetics"})
    assert cosmetics.json()["total"] == 3
