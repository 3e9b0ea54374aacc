"""The console search: header box, grouped results linking to detail pages, clear messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from liveqc.search import service
from liveqc.web.i18n import catalogue
from tests.web.test_views import sign_in


def test_header_has_the_search_box_when_signed_in(client: TestClient, demo: Any) -> None:
    assert 'id="global-search"' not in client.get("/login").text
    sign_in(client, "qc@xinghe.example")
    assert 'action="/search"' in client.get("/products").text


def test_results_are_grouped_and_link_to_detail_pages(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    page = client.get("/search", params={"q": "精华"})
    assert page.status_code == 200
    assert re.search(r'id="search-products"[\s\S]*?<span class="count">\((\d+)\)', page.text)
    for kind in ("products", "live_sessions", "complaints", "findings"):
        assert f'id="search-{kind}"' in page.text
    link = re.search(r'<a href="(/products/\d+)">[^<]*精华', page.text)
    assert link and client.get(link.group(1)).status_code == 200
    assert re.search(r'id="global-search"[^>]*value="精华"', page.text)  # the header box keeps it


def test_one_kind_only(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    page = client.get("/search", params={"q": "精华", "kind": "products"}).text
    assert 'id="search-products"' in page and 'id="search-findings"' not in page


def test_empty_and_too_long_queries_say_so(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example")
    empty = client.get("/search", params={"q": "  "})
    assert empty.status_code == 200 and "请输入要搜索的内容" in empty.text
    long = client.get("/search", params={"q": "长" * 101})
    assert long.status_code == 400 and "最多 100 个字符" in long.text


def test_signed_out_search_goes_to_login(client: TestClient, demo: Any) -> None:
    response = client.get("/search", params={"q": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_search_texts_exist_in_both_languages(client: TestClient, demo: Any) -> None:
    template = (Path(service.__file__).parent / "templates" / "search_results.html").read_text(
        encoding="utf-8"
    )
    keys = set(re.findall(r't\("([a-z_.]+[a-z_])"', template))
    assert keys and keys <= set(catalogue("zh-CN")) and keys <= set(catalogue("en"))
    assert not re.search(r"[\u4e00-\u9fff]", template)
    sign_in(client, "qc@xinghe.example")
    client.get("/lang/en")
    page = client.get("/search", params={"q": "精华"}).text
    assert "Products <span" in page and "Compliance findings" in page
