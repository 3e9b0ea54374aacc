"""The console walk-through: onboard a supplier, add a product, upload documents, see the gaps,
record a sample inspection under an AQL plan, approve (four eyes) and see the facts."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from liveqc.demo.credit_codes import credit_code
from liveqc.products import explain
from liveqc.products.documents import DocumentType, check_documents, load_matrix
from liveqc.web.i18n import catalogue, translator
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
    assert "竹纤维毛巾" in detail and "第三方检验报告" in detail  # the gap is shown
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
    # the facts section, with translated labels and values instead of raw keys
    assert "<dt>定制商品</dt><dd>否</dd>" in detail and "made_to_order" not in detail


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


def section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", " ", match.group(1))


#: Four or more English words in a row: a sentence that escaped the catalogues.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,.()'-]+[A-Za-z]{2,}){3,}")


def test_product_pages_in_zh_cn_have_no_english_explanations(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    skus = [sku for sku in demo.products if sku.startswith("XH-")]
    assert len(skus) > 10
    for sku in skus:
        html = client.get(f"/products/{demo.products[sku].id}").text
        for name in ("vetting", "documents", "facts"):
            assert not ENGLISH.findall(section(html, name)), (sku, name)
    page = client.get(f"/products/{demo.products['XH-004'].id}").text
    documents = section(page, "documents")
    assert "检验检测报告（编号 FY2024-01302）已于" in documents and "过期" in documents
    assert "剩余" in documents  # the SC licence expiring soon
    facts = section(page, "facts")
    assert "品类" in facts and "食品" in facts and "注册备案" in facts
    assert "category" not in facts and "registrations" not in facts
    client.get("/lang/en", headers={"referer": "/products"})
    english = client.get(f"/products/{demo.products['XH-004'].id}").text
    assert "expired on" in section(english, "documents")
    assert "Category" in section(english, "facts") and "Food" in section(english, "facts")


def test_missing_documents_and_gaps_come_from_the_catalogue(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    url = f"/products/{demo.products['XH-006'].id}"
    before = section(client.get(url).text, "documents")
    assert "须提供第三方检验报告" in before  # products.req.inspection_report.reason
    post(client, f"{url}/documents", {"type": "inspection_report", "number": "No. 9",
                                      "valid_from": "2099-01-01"})  # fmt: skip
    after = section(client.get(url).text, "documents")
    assert "须提供第三方检验报告" not in after and "检验检测报告尚未生效" in after
    client.get("/lang/en", headers={"referer": "/products"})
    assert "Inspection report is not valid yet" in section(client.get(url).text, "documents")


def test_invalid_document_codes_follow_the_checker() -> None:
    imported = check_documents(
        "cosmetics", ["imported"], [{"type": "cosmetic_filing", "number": "浙G妆网备字2023012345"}],
        date(2026, 1, 1),
    )  # fmt: skip
    (issue,) = imported.invalid
    assert explain.issue_code("invalid", issue) == "domestic_number_on_import"
    reversed_dates = check_documents(
        "general", [], [{"type": "inspection_report", "number": "No. 1",
                         "valid_from": "2025-06-01", "valid_to": "2025-01-01"}], date(2025, 3, 1),
    )  # fmt: skip
    assert [explain.issue_code("invalid", i) for i in reversed_dates.invalid] == ["dates_reversed"]
    t = translator("zh-CN")
    text = explain.explain_check(imported, t, "zh-CN")["invalid"][0]["text"]
    label = DocumentType.COSMETIC_FILING.label_zh
    assert text == f"{label}编号 {issue.number} 是国产编号，但商品标为进口。"


def test_every_requirement_and_block_has_both_translations() -> None:
    matrix = load_matrix()
    for locale in ("zh-CN", "en"):
        keys = catalogue(locale)
        for rule in (*matrix.requirements, *matrix.blocks):
            kind = "req" if rule in matrix.requirements else "block"
            for part in ("reason", "basis"):
                assert keys.get(f"products.{kind}.{rule.id}.{part}"), (locale, rule.id, part)


def test_vetting_history_names_the_user(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    url = f"/products/{demo.products['XH-006'].id}"
    post(client, f"{url}/vetting/submit", {"reason": ""})
    history = section(client.get(url).text, "vetting")
    assert "林晓雯" in history
    user_id = demo.users["qc@xinghe.example"].id
    assert not re.search(rf"→ [^ ]+\s+{user_id}\s", history)


def test_edit_form_changes_the_product_with_csrf(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    url = f"/products/{demo.products['XH-006'].id}"
    page = client.get(url).text
    assert f'action="{url}/edit"' in page and 'name="category"' in page
    forged = client.post(f"{url}/edit", data={"csrf": "forged", "name": "伪造"})
    assert forged.status_code == 403 and "伪造" not in client.get(url).text
    refused = post(client, f"{url}/edit", {"name": "吐司", "gtin": "6901234567893"})
    page = client.get(refused.headers["location"]).text
    assert "gtin" in page and "<h1>低糖全麦吐司" in page
    form = {
        "name": "全麦吐司（轻食）",
        "gtin": "6901234567892",
        "list_price": "9.90",
        "category": "agriculture",
        "edit_conditions": "1",
        "conditions": ["organic_claim"],
    }
    saved = post(client, f"{url}/edit", form)
    page = client.get(saved.headers["location"]).text
    assert "已保存" in page and "<h1>全麦吐司（轻食）" in page and "6901234567892" in page
    assert "宣称有机" in page and "农产品" in page


def test_edit_form_of_an_approved_product_locks_the_category(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    url = f"/products/{demo.products['XH-001'].id}"
    page = client.get(url).text
    assert 'name="category"' not in page and "只能在草稿或资质审核阶段修改" in page
    refused = post(client, f"{url}/edit", {"category": "food"})
    page = client.get(refused.headers["location"]).text
    assert "category" in page and 'class="error"' in page
    facts = section(page, "facts")
    assert "化妆品" in facts and "食品" not in facts
    saved = post(client, f"{url}/edit", {"specification": "30ml×2"})
    assert "30ml×2" in client.get(saved.headers["location"]).text
