"""Search from the header box, sort a list by its header, download an export, in Chromium."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")


def test_header_search_shows_results_grouped_by_kind(
    page: Any, login: Callable[..., None], screenshot: Callable[[Any, str], Path]
) -> None:
    login(page, "qc@xinghe.example")
    box = page.locator("#global-search")
    box.fill("精华")
    with page.expect_navigation():
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    products = page.locator("#search-products")
    expect(products.locator("h2")).to_contain_text(ZH("search.kind.products"))
    expect(products.locator(".count")).to_have_text(re.compile(r"\(\d+\)"))
    for kind in ("live_sessions", "complaints", "findings"):
        expect(page.locator(f"#search-{kind}")).to_be_visible()
    expect(page.locator("#global-search")).to_have_value("精华")
    screenshot(page, "search-results")
    first = products.locator(".search-hits a").first
    name = first.inner_text()
    assert "精华" in name
    with page.expect_navigation():
        first.click()
    expect(page).to_have_url(re.compile(r"/products/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)


def test_an_empty_search_says_what_to_do(page: Any, login: Callable[..., None]) -> None:
    login(page, "qc@xinghe.example")
    with page.expect_navigation():
        page.locator("#global-search").press("Enter")
    expect(page.get_by_role("alert")).to_have_text(ZH("search.empty"))


def catalogue_names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator("tbody tr td:nth-child(2) a").all_inner_texts()]


def test_sort_the_catalogue_by_clicking_headers_and_download_exports(
    page: Any, login: Callable[..., None]
) -> None:
    login(page, "qc@xinghe.example")
    page.goto("/products")
    header = page.locator("th", has=page.locator("a[data-column='name']"))
    with page.expect_navigation():
        header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = catalogue_names(page)
    assert len(ascending) > 2 and ascending == sorted(ascending)
    with page.expect_navigation():
        header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    # Other browser tests may have added products, so the catalogue can run past one page:
    # check the order of what is shown, not that it mirrors the ascending first page.
    descending = catalogue_names(page)
    assert len(descending) > 2 and descending == sorted(descending, reverse=True)
    assert descending[0] >= ascending[-1]

    with page.expect_download() as csv_download:
        page.locator(".tbl-export").get_by_role("link", name="CSV").click()
    data = Path(csv_download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and csv_download.value.suggested_filename == (
        "products.csv"
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    exported = [r[1] for r in rows[1:]]  # every page, in the page's order
    assert exported == sorted(exported, reverse=True)
    assert set(descending) | set(ascending) <= set(exported)

    with page.expect_download() as xlsx_download:
        page.locator(".tbl-export").get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r[1] for r in rows[1:]]
