"""Console lists: sorting, filters, pagination bounds, refused columns, CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from liveqc.db import tenancy
from liveqc.live_sessions.models import LiveSession
from liveqc.products.models import Product
from liveqc.web.i18n import translator
from liveqc.web.tables import like_pattern
from tests.factories.products import make_product
from tests.web.test_views import sign_in

NAME = re.compile(r'<a href="/products/\d+">([^<]+)</a>')


def names(html: str) -> list[str]:
    return NAME.findall(html)


@pytest.fixture
def qc(client: TestClient, demo: Any) -> TestClient:
    sign_in(client, "qc@xinghe.example")
    return client


def test_like_pattern_escapes_wildcards() -> None:
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_sorting_by_a_column_both_ways(qc: TestClient, session: Any, demo: Any) -> None:
    up = names(qc.get("/products", params={"sort": "name", "dir": "asc"}).text)
    down = names(qc.get("/products", params={"sort": "name", "dir": "desc"}).text)
    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    expected = list(session.scalars(select(Product.name).order_by(Product.name)))  # collation
    assert len(up) > 2 and up == expected and down == list(reversed(up))
    page = qc.get("/products", params={"sort": "name"}).text
    assert 'aria-sort="ascending"' in page and "sort=name&amp;dir=desc" in page


def test_column_filter_and_the_bespoke_filters_combine(qc: TestClient) -> None:
    everything = names(qc.get("/products").text)
    some = names(qc.get("/products", params={"f.name": "精华"}).text)
    assert some and set(some) < set(everything) and all("精华" in n for n in some)
    drafts = names(qc.get("/products", params={"status": "draft", "f.name": "吐司"}).text)
    assert drafts == ["低糖全麦吐司"]
    assert names(qc.get("/products", params={"f.name": "%"}).text) == []


def test_pages_split_the_rows_and_a_page_past_the_end_shows_the_last(qc: TestClient) -> None:
    everything = names(qc.get("/products", params={"sort": "sku"}).text)
    first = names(qc.get("/products", params={"sort": "sku", "per_page": 2}).text)
    second = names(qc.get("/products", params={"sort": "sku", "per_page": 2, "page": 2}).text)
    assert first + second == everything[:4]
    last = qc.get("/products", params={"sort": "sku", "per_page": 2, "page": 9999}).text
    assert names(last) == everything[(len(everything) - 1) // 2 * 2 :]
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"sort": "password"}, "'password'"),
        ({"f.organisation_id": "1"}, "'organisation_id'"),
        ({"dir": "sideways"}, "dir"),
        ({"page": "0"}, "page"),
        ({"per_page": "201"}, "per_page"),
        ({"export": "pdf"}, "export"),
        ({"f.status": "nonsense"}, "f.status"),
    ],
)
def test_bad_list_parameters_are_refused_by_name(
    qc: TestClient, params: dict[str, str], named: str
) -> None:
    response = qc.get("/products", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert named in response.json()["detail"]


def test_csv_export_has_every_filtered_sorted_row(qc: TestClient) -> None:
    params: dict[str, Any] = {"sort": "name", "dir": "desc", "per_page": 1, "f.brand": ""}
    shown = names(qc.get("/products", params={**params, "per_page": 200}).text)
    response = qc.get("/products", params={**params, "export": "csv"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["SKU", "商品名称"]
    assert [r[1] for r in rows[1:]] == shown  # all pages, same order


def test_xlsx_export_reads_back_in_english(qc: TestClient) -> None:
    qc.get("/lang/en")
    response = qc.get("/products", params={"status": "draft", "export": "xlsx"})
    assert (
        response.status_code == 200
        and 'filename="products.xlsx"' in response.headers["content-disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Product name"
    assert "低糖全麦吐司" in [r[1] for r in rows[1:]]
    assert len({r[5] for r in rows[1:]}) == 1  # one status, translated


def test_exports_keep_formulas_as_text(qc: TestClient, session: Any, demo: Any) -> None:
    make_product(session, demo, sku="=1+1", name="=HYPERLINK(1)")
    session.flush()
    text = qc.get("/products", params={"f.sku": "=1+1", "export": "csv"}).content.decode()
    assert "'=1+1" in text and "'=HYPERLINK(1)" in text
    book = qc.get("/products", params={"f.sku": "=1+1", "export": "xlsx"}).content
    cell = load_workbook(io.BytesIO(book)).active["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_suppliers_list_filters_and_exports(qc: TestClient) -> None:
    page = qc.get("/products/suppliers", params={"sort": "name", "dir": "desc"})
    assert page.status_code == 200 and 'name="f.name"' in page.text
    response = qc.get("/products/suppliers", params={"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "供应商" and len(rows) > 1


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_live_sessions_sort_by_title_and_export(
    client: TestClient, session: Any, demo: Any
) -> None:
    sign_in(client, "compliance@xinghe.example")
    page = client.get("/live-sessions", params={"sort": "title", "dir": "desc"}).text
    titles = re.findall(r'<a href="/live-sessions/\d+">([^<]+)</a>', page)
    tenancy.set_organisation(session, demo.organisations["星河直播"].id)
    expected = list(session.scalars(select(LiveSession.title).order_by(LiveSession.title.desc())))
    assert len(titles) > 1 and titles == expected
    rows = read_csv(client.get("/live-sessions", params={"sort": "title", "dir": "desc",
                                                         "export": "csv"}))  # fmt: skip
    assert [r[1] for r in rows[1:]] == titles


def test_complaint_queue_sorts_and_exports_without_contact_data(
    client: TestClient, demo: Any
) -> None:
    sign_in(client, "aftersales@xinghe.example")
    page = client.get("/complaints", params={"sort": "id", "dir": "desc"})
    ids = [int(i) for i in re.findall(r'<a href="/complaints/(\d+)">', page.text)]
    assert len(ids) > 1 and ids == sorted(ids, reverse=True)
    rows = read_csv(client.get("/complaints", params={"sort": "id", "dir": "desc",
                                                      "export": "csv"}))  # fmt: skip
    assert [int(r[0]) for r in rows[1:]] == ids
    zh = translator("zh-CN")
    header = ["search.col.id", "complaints.category", "complaints.status", "complaints.due"]
    assert rows[0][:4] == [zh(k) for k in header] and len(rows[0]) == 6
    assert not re.search(r"1[3-9]\d{9}", "\n".join(",".join(r) for r in rows))  # no phones


def test_findings_keep_their_filters_and_export_xlsx(client: TestClient, demo: Any) -> None:
    sign_in(client, "compliance@xinghe.example")
    high = client.get("/compliance/findings", params={"severity": "high", "sort": "code"})
    assert high.status_code == 200 and 'aria-sort="ascending"' in high.text
    book = client.get("/compliance/findings", params={"severity": "high", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert len(rows) > 1 and {r[0] for r in rows[1:]} == {"high"}


def test_scans_filter_by_text(client: TestClient, demo: Any) -> None:
    sign_in(client, "compliance@xinghe.example")
    everything = read_csv(client.get("/compliance/scans", params={"export": "csv"}))
    word = everything[1][4][:3]
    some = read_csv(client.get("/compliance/scans", params={"f.text": word, "export": "csv"}))
    assert 1 < len(some) <= len(everything) and all(word in r[4] for r in some[1:])


def test_spot_checks_list_exports_for_the_regulator(client: TestClient, demo: Any) -> None:
    sign_in(client, "inspector@binjiang.example")
    page = client.get("/spot-checks", params={"sort": "id", "dir": "desc"})
    assert page.status_code == 200 and 'name="f.batch"' in page.text
    rows = read_csv(client.get("/spot-checks", params={"export": "csv"}))
    assert rows[0][0] == "编号"
