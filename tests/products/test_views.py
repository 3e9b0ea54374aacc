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
    everything = client.get("/api/v1/products", headers=headers, params={"limit": 200}).json()
    approved = client.get("/api/v1/products", headers=headers, params={"status": "approved"})
    expected = sum(p["status"] == "approved" for p in everything["items"])
    assert approved.json()["total"] == expected > 0
    assert {p["status"] for p in approved.json()["items"]} == {"approved"}
    total = everything["total"]
    page = client.get("/api/v1/products", headers=headers, params={"limit": 3, "offset": total - 2})
    assert page.json()["total"] == total and len(page.json()["items"]) == 2
    cosmetics = client.get("/api/v1/products", headers=headers, params={"category": "cosmetics"})
    assert cosmetics.json()["total"] == sum(
        p["category"] == "cosmetics" for p in everything["items"]
    )
    found = client.get("/api/v1/products", headers=headers, params={"q": "XH-00"}).json()
    assert found["total"] == 8 and all(p["sku"].startswith("XH-00") for p in found["items"])


# --- documents, uploads, checks, vetting, facts, import/export ----------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def product_id(client: TestClient, headers, sku: str) -> int:
    items = client.get("/api/v1/products", headers=headers, params={"q": sku}).json()["items"]
    return next(p["id"] for p in items if p["sku"] == sku)


def upload(client: TestClient, headers, pid: int, content: bytes, name: str, **fields):
    data = {"type": "inspection_report", "number": "No. 1", **fields}
    return client.post(
        f"/api/v1/products/{pid}/documents",
        headers=headers,
        data=data,
        files={"file": (name, content, "application/pdf")},
    )


def test_uploaded_pdf_is_served_only_as_an_attachment(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    created = upload(client, headers, pid, PDF, "报告.pdf", valid_to="2030-01-01")
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["content_type"] == "application/pdf" and doc["file_size"] == len(PDF)
    response = client.get(f"/api/v1/documents/{doc['id']}/file", headers=headers)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "application/pdf"


def test_html_renamed_pdf_is_refused(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    html = b"<!doctype html><script>alert(1)</script>"
    response = upload(client, headers, pid, html, "report.pdf")
    assert response.status_code == 422
    assert "file" in response.json()["detail"]
    svg = upload(client, headers, pid, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.png")
    assert svg.status_code == 422


def test_document_numbers_are_checked_per_type(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    bad = client.post(
        f"/api/v1/products/{pid}/documents",
        headers=headers,
        data={"type": "sc_license", "number": "SC123"},
    )
    assert bad.status_code == 422 and "number" in bad.json()["detail"]
    unknown = client.post(
        f"/api/v1/products/{pid}/documents", headers=headers, data={"type": "passport"}
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "request-validation"


def test_another_agency_cannot_see_documents_or_files(client: TestClient, login) -> None:
    xinghe, qinghe = login("qc@xinghe.example"), login("qc@qinghe.example")
    pid = product_id(client, xinghe, "XH-006")
    doc = upload(client, xinghe, pid, PDF, "a.pdf").json()
    for path in (
        f"/api/v1/documents/{doc['id']}",
        f"/api/v1/documents/{doc['id']}/file",
        f"/api/v1/products/{pid}/documents",
        f"/api/v1/products/{pid}/document-check",
        f"/api/v1/products/{pid}/facts",
        f"/api/v1/products/{pid}/test-reports",
        f"/api/v1/products/{pid}/inspection-lots",
    ):
        assert client.get(path, headers=qinghe).status_code == 404, path
    assert upload(client, qinghe, pid, PDF, "b.pdf").status_code == 404


def test_document_check_lists_gaps(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    body = client.get(f"/api/v1/products/{pid}/document-check", headers=headers).json()
    assert body["category"] == "food"
    missing = {m["requirement"] for m in body["missing"]}
    assert "food_production_license" in missing and body["ok"] is False
    xh004 = product_id(client, headers, "XH-004")
    body = client.get(f"/api/v1/products/{xh004}/document-check", headers=headers).json()
    assert [i["code"] for i in body["expired"]] == ["expired"]
    assert [i["code"] for i in body["expiring"]] == ["expiring"]
    assert "expired on" in body["expired"][0]["reason"]  # the API keeps the English reason


def test_vetting_through_the_api_with_four_eyes(client: TestClient, login) -> None:
    qc, admin = login("qc@xinghe.example"), login("admin@xinghe.example")
    pid = product_id(client, qc, "XH-006")
    assert client.post(f"/api/v1/products/{pid}/approve", headers=qc).status_code == 409
    assert client.post(f"/api/v1/products/{pid}/submit", headers=qc).json()["status"] == "submitted"
    assert client.post(f"/api/v1/products/{pid}/review", headers=admin).status_code == 200
    step = client.post(f"/api/v1/products/{pid}/sample-testing", headers=admin)
    assert step.json()["status"] == "sample_testing"
    own = client.post(f"/api/v1/products/{pid}/approve", headers=qc)
    assert own.status_code == 403 and "four-eyes" in own.json()["detail"]
    gaps = client.post(f"/api/v1/products/{pid}/approve", headers=admin)
    assert gaps.status_code == 409 and "cannot be approved" in gaps.json()["detail"]
    reject = client.post(f"/api/v1/products/{pid}/reject", headers=admin, json={"reason": ""})
    assert reject.status_code == 422
    reject = client.post(f"/api/v1/products/{pid}/reject", headers=admin, json={"reason": "缺SC"})
    assert reject.json()["status"] == "rejected"
    events = client.get(f"/api/v1/products/{pid}/vetting-events", headers=qc).json()["items"]
    assert [e["action"] for e in events][-4:] == ["submit", "review", "sample_testing", "reject"]


def test_lot_with_plan_and_results(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    lot = client.post(
        f"/api/v1/products/{pid}/inspection-lots",
        headers=headers,
        json={"lot_number": "B-1", "lot_size": 1200, "level": "II", "aqls": {"major": 1.0}},
    )
    assert lot.status_code == 201, lot.text
    plan = lot.json()["classes"][0]
    assert (plan["code_letter"], plan["sample_size"], plan["accept"]) == ("J", 80, 2)
    done = client.post(
        f"/api/v1/inspection-lots/{lot.json()['id']}/results",
        headers=headers,
        json={"nonconforming": {"major": 1}, "defects": {"major": ["封口不严"]}},
    )
    assert done.json()["decision"] == "accepted"
    bad = client.post(
        f"/api/v1/products/{pid}/inspection-lots",
        headers=headers,
        json={"lot_number": "B-2", "lot_size": 1200, "aqls": {"major": 1.1}},
    )
    assert bad.status_code == 422


def test_test_report_verdicts_are_computed(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    body = {
        "report_number": "R-9",
        "lab": "杭州检测",
        "items": [
            {"name": "菌落总数", "limit": "≤10000", "unit": "CFU/g", "result": "12000"},
            {"name": "铅", "limit": "≤0.5", "unit": "mg/kg", "result": "0.1"},
        ],
    }
    report = client.post(f"/api/v1/products/{pid}/test-reports", headers=headers, json=body)
    assert report.status_code == 201, report.text
    assert report.json()["verdict"] == "fail"
    assert [i["verdict"] for i in report.json()["items"]] == ["fail", "pass"]
    typed = client.post(
        f"/api/v1/products/{pid}/test-reports", headers=headers, json={**body, "verdict": "pass"}
    )
    assert typed.status_code == 422


def test_bad_gtin_is_a_422_naming_the_field(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    supplier_id = min(ids(client, headers, "/api/v1/suppliers"))
    response = client.post(
        "/api/v1/products",
        headers=headers,
        json={
            "supplier_id": supplier_id,
            "sku": "XH-901",
            "name": "x",
            "category": "food",
            "gtin": "6901234567890",
        },
    )
    assert response.status_code == 422 and response.json()["detail"].startswith("gtin")


def test_export_csv_and_xlsx(client: TestClient, login) -> None:
    import io

    from openpyxl import load_workbook

    headers = login("qc@xinghe.example")
    csv_response = client.get("/api/v1/products/export?format=csv", headers=headers)
    assert csv_response.headers["content-disposition"].startswith("attachment")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,sku,name,status") and len(lines) - 1 == ids_total(
        client, headers
    )
    assert all(",XH-" in line for line in lines[1:])
    xlsx = client.get("/api/v1/products/export", headers=headers)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "sku", "name", "status") and len(rows) == len(lines)


def ids_total(client: TestClient, headers) -> int:
    return client.get("/api/v1/products", headers=headers).json()["total"]


def test_import_through_the_api_is_all_or_nothing(client: TestClient, login) -> None:
    from tests.products.test_importing import good_row, xlsx

    headers = login("qc@xinghe.example")
    before = ids_total(client, headers)
    bad = xlsx([good_row("AP-1"), good_row("AP-1")])
    files = {"file": ("list.xlsx", bad, "application/octet-stream")}
    report = client.post("/api/v1/products/import", headers=headers, files=files).json()
    assert report["imported"] is False and report["rejected"] == 1
    assert "duplicate of row 2" in report["rows"][1]["reasons"][0]
    assert ids_total(client, headers) == before
    files = {"file": ("list.xlsx", bad, "application/octet-stream")}
    partial = client.post(
        "/api/v1/products/import", headers=headers, files=files, params={"valid_only": "true"}
    )
    assert partial.json()["imported"] is True and ids_total(client, headers) == before + 1
    junk = {"file": ("list.xlsx", b"not a workbook", "application/octet-stream")}
    refused = client.post("/api/v1/products/import", headers=headers, files=junk)
    assert refused.status_code == 422 and "xlsx" in refused.json()["detail"]
    viewer = login("aftersales@xinghe.example")
    assert client.post("/api/v1/products/import", headers=viewer, files=junk).status_code == 403


def test_openapi_documents_the_product_endpoints(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/products/{product_id}/document-check",
        "/api/v1/products/{product_id}/approve-with-conditions",
        "/api/v1/documents/{document_id}/file",
        "/api/v1/inspection-lots/{lot_id}/results",
    ):
        assert path in paths, path


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_patch_product_updates_audits_and_validates(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")  # a draft
    body = {
        "name": "低糖全麦吐司（新配方）",
        "list_price": "12.80",
        "gtin": "6901234567892",
        "shelf_life_days": 7,
        "category": "agriculture",
        "conditions": ["organic_claim"],
    }
    response = client.patch(f"/api/v1/products/{pid}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    product = response.json()
    assert product["name"] == body["name"] and product["list_price"] == "12.80"
    assert product["category"] == "agriculture" and product["conditions"] == ["organic_claim"]
    event = client.get("/api/v1/audit-events", headers=headers).json()["items"][0]
    assert (event["object_type"], event["object_id"], event["action"]) == (
        "products",
        str(pid),
        "update",
    )
    assert event["before"]["name"] == "低糖全麦吐司" and event["after"]["name"] == body["name"]
    assert event["before"]["category"] == "food" and event["after"]["category"] == "agriculture"
    bad = client.patch(f"/api/v1/products/{pid}", headers=headers, json={"gtin": "6901234567893"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("gtin")
    for wrong in ({"name": None}, {"sku": "X"}, {"list_price": "1.234"}, {"status": "approved"}):
        refused = client.patch(f"/api/v1/products/{pid}", headers=headers, json=wrong)
        assert refused.status_code == 422, wrong
    assert client.get(f"/api/v1/products/{pid}", headers=headers).json()["status"] == "draft"


def test_patch_category_of_an_approved_product_is_a_409_naming_the_field(
    client: TestClient, login
) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-001")  # approved
    for body, field in (
        ({"category": "food"}, "category"),
        ({"conditions": ["perm"]}, "conditions"),
    ):
        response = client.patch(f"/api/v1/products/{pid}", headers=headers, json=body)
        assert response.status_code == 409
        assert response.json()["detail"].startswith(f"{field}:")
        assert "approved" in response.json()["detail"]
    allowed = client.patch(f"/api/v1/products/{pid}", headers=headers, json={"brand": "美妍Pro"})
    assert allowed.status_code == 200 and allowed.json()["category"] == "cosmetics"


def test_patch_is_404_for_another_agency_and_403_for_readers(client: TestClient, login) -> None:
    xinghe, qinghe = login("qc@xinghe.example"), login("qc@qinghe.example")
    theirs = product_id(client, qinghe, "QH-001")
    response = client.patch(f"/api/v1/products/{theirs}", headers=xinghe, json={"name": "篡改"})
    assert response.status_code == 404
    supplier = min(ids(client, qinghe, "/api/v1/suppliers"))
    response = client.patch(f"/api/v1/suppliers/{supplier}", headers=xinghe, json={"name": "篡改"})
    assert response.status_code == 404
    assert client.get(f"/api/v1/products/{theirs}", headers=qinghe).json()["name"] != "篡改"
    mine = product_id(client, xinghe, "XH-006")
    reader = login("aftersales@xinghe.example")
    response = client.patch(f"/api/v1/products/{mine}", headers=reader, json={"name": "x"})
    assert response.status_code == 403


def test_patch_supplier_checks_a_changed_credit_code(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    first, second = sorted(ids(client, headers, "/api/v1/suppliers"))[:2]
    other_code = client.get(f"/api/v1/suppliers/{second}", headers=headers).json()["credit_code"]
    path = f"/api/v1/suppliers/{first}"
    bad = client.patch(path, headers=headers, json={"credit_code": "91330108MA2H7K3Q0A"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("credit_code")
    taken = client.patch(path, headers=headers, json={"credit_code": other_code})
    assert taken.status_code == 409 and "credit_code" in taken.json()["detail"]
    body = {
        "name": "美妍生物科技（杭州）有限公司",
        "contact_name": "周敏",
        "region": "浙江省杭州市",
    }
    response = client.patch(path, headers=headers, json=body)
    assert response.status_code == 200 and response.json()["contact_name"] == "周敏"
    event = client.get("/api/v1/audit-events", headers=headers).json()["items"][0]
    assert (event["object_type"], event["object_id"]) == ("suppliers", str(first))
    assert event["after"] == body and set(event["before"]) == set(body)


def test_images_are_listed_and_served_only_as_attachments(client: TestClient, login) -> None:
    headers = login("qc@xinghe.example")
    pid = product_id(client, headers, "XH-006")
    assert client.get(f"/api/v1/products/{pid}/images", headers=headers).json() == {
        "items": [],
        "total": 0,
    }
    created = client.post(
        f"/api/v1/products/{pid}/images",
        headers=headers,
        files={"file": ("正面.png", PNG, "text/html")},  # the client's type is not trusted
    )
    assert created.status_code == 201, created.text
    image_id = created.json()["id"]
    listing = client.get(f"/api/v1/products/{pid}/images", headers=headers).json()
    assert listing["total"] == 1 and listing["items"][0]["content_type"] == "image/png"
    assert listing["items"][0]["file_size"] == len(PNG)
    response = client.get(f"/api/v1/products/{pid}/images/{image_id}", headers=headers)
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "image/png"
    other = product_id(client, headers, "XH-001")
    assert (
        client.get(f"/api/v1/products/{other}/images/{image_id}", headers=headers).status_code
        == 404
    )
    qinghe = login("qc@qinghe.example")
    assert client.get(f"/api/v1/products/{pid}/images", headers=qinghe).status_code == 404
    assert (
        client.get(f"/api/v1/products/{pid}/images/{image_id}", headers=qinghe).status_code == 404
    )
