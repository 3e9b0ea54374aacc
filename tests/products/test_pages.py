"""The console walk-through: onboard a supplier, add a product, upload documents, see the gaps,
record a sample inspection under an AQL plan, approve (four eyes) and see the facts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liveqc.demo.credit_codes import credit_code
from tests.web.test_views import csrf_of, sign_in

PDF = b"%PDF-1.4\n%%EOF\n"
CODE = credit_code("330106", "MA2J4L7R")


def post(client: TestClient, path: str, data: dict, **kwargs):
    token = csrf_of(client.get("/").text)
    return client.post(path, data={**data, "csrf": token}, follow_redirects=False, **kwargs)


def test_catalogue_lists_and_filters(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    page = client.get("/products")
    assert page.status_code == 200 and "玻尿酸补水保湿精华液" in page.text
    assert "儿童益智磁力片积木" not in page.text  # the other agency's product
    drafts = client.get("/products", params={"status": "draft"}).text
    assert "低糖全麦吐司" in drafts and "玻尿酸补水保湿精华液" not in drafts
    english = client.get("/lang/en", headers={"referer": "/products"}).text
    assert "Catalogue" in english


def test_qc_reviewer_walk_through(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    onboard = post(
        client,
        "/products/suppliers",
        {"name": "杭州西溪日用品有限公司", "credit_code": CODE, "licence_valid_to": "2031-01-01"},
    )
    assert onboard.status_code == 303
    assert "杭州西溪日用品有限公司" in client.get("/products/suppliers").text
    form = client.get("/products/new").text
    supplier_id = re.search(r'<option value="(\d+)">杭州西溪日用品有限公司', form).group(1)
    created = post(
        client,
        "/products/new",
        {"supplier_id": supplier_id, "sku": "XH-500", "name": "竹纤维毛巾", "category": "general",
         "gtin": "6901234567892", "specification": "2条装"},
    )  # fmt: skip
    assert created.status_code == 303, client.get(created.headers["location"]).text
    detail_url = created.headers["location"]
    assert re.fullmatch(r"/products/\d+", detail_url)
    detail = client.get(detail_url).text
    assert "竹纤维毛巾" in detail and "inspection_report" in detail  # the gap is shown
    html = post(
        client,
        f"{detail_url}/documents",
        {"type": "inspection_report", "number": "No. 5"},
        files={"file": ("report.pdf", b"<html><script>x</script>", "application/pdf")},
    )
    assert "not a PDF" in client.get(html.headers["location"]).text
    post(
        client,
        f"{detail_url}/documents",
        {"type": "inspection_report", "number": "No. 5", "valid_to": "2030-01-01"},
        files={"file": ("report.pdf", PDF, "application/pdf")},
    )
    detail = client.get(detail_url).text
    assert "/api/v1/documents/" in detail and "report.pdf" in detail
    post(client, f"{detail_url}/lots", {"lot_number": "W-1", "lot_size": "1200", "level": "II",
                                        "aql_major": "1.0", "aql_minor": "4.0"})  # fmt: skip
    detail = client.get(detail_url).text
    assert "W-1" in detail and "<td>80</td><td>2/3</td>" in detail
    lot_id = re.search(r'action="/products/lots/(\d+)/results"', detail).group(1)
    post(client, f"/products/lots/{lot_id}/results", {"d_major": "1", "d_minor": "2"})
    assert "接收" in client.get(detail_url).text

    sign_in(client, "admin@xinghe.example")
    for action in ("submit", "review", "sample_testing"):
        post(client, f"{detail_url}/vetting/{action}", {"reason": ""})
    sign_in(client, "qc@xinghe.example")
    post(client, f"{detail_url}/vetting/approve", {"reason": "资料齐全，抽检合格"})
    detail = client.get(detail_url).text
    assert "已批准" in detail and "资料齐全，抽检合格" in detail
    assert "made_to_order" in detail  # the facts section


def test_refused_steps_are_explained_and_change_nothing(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    detail_url = "/products/" + re.search(
        r'href="/products/(\d+)">低糖全麦吐司', client.get("/products").text
    ).group(1)
    refused = post(client, f"{detail_url}/vetting/approve", {"reason": ""})
    page = client.get(refused.headers["location"]).text
    assert "Invalid transition" in page and "草稿" in page
    forged = client.post(f"{detail_url}/vetting/submit", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert "草稿" in client.get(detail_url).text


def test_import_page_shows_the_row_report(client: TestClient, demo) -> None:
    from tests.products.test_importing import good_row, xlsx

    sign_in(client, "qc@xinghe.example")
    data = xlsx([good_row("PG-1"), good_row("PG-2", gtin="42")])
    response = post(
        client,
        "/products/import",
        {},
        files={"file": ("list.xlsx", data, "application/octet-stream")},
    )
    page = client.get(response.headers["location"]).text
    assert "PG-2" in page and "gtin" in page and "未导入任何行" in page


def test_other_agencies_products_are_not_found(client: TestClient, demo) -> None:
    sign_in(client, "qc@qinghe.example")
    theirs = demo.products["XH-001"].id
    assert client.get(f"/products/{theirs}").status_code == 404
