"""The Blue Book in the console: sections with tables and charts, and its downloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
EN = translator("en")


def test_bluebook_page_shows_sections_with_tables_and_charts(
    page: Any,
    login: Callable[..., None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    login(page, "admin@xinghe.example")
    page.goto("/reports")

    book = page.locator("article.bluebook")
    expect(book.locator("header h1")).to_be_visible()
    sections = book.locator("section")
    expect(sections.first).to_be_visible()
    assert sections.count() >= 5
    # The table of contents links to every section.
    assert book.locator("header nav li").count() == sections.count()
    expect(book.locator("section table").first).to_be_visible()
    expect(book.locator("section .charts svg").first).to_be_visible()
    for summary in book.locator("section .summary").all():
        assert summary.inner_text().strip()
    screenshot(page, "reports-bluebook")


def test_bluebook_pdf_download_is_a_pdf(
    page: Any, login: Callable[..., None], artifacts_dir: Path
) -> None:
    login(page, "inspector@binjiang.example")
    page.goto("/reports")

    with page.expect_download() as download:
        page.locator("p.downloads a", has_text="PDF").click()
    target = artifacts_dir / "bluebook.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert target.stat().st_size > 10_000


def test_bluebook_in_english(page: Any, login: Callable[..., None]) -> None:
    login(page, "staff@xiaoxie.example")
    page.goto("/reports")
    zh_title = page.locator("article.bluebook header h1").inner_text()

    page.locator("#lang").select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name=ZH("reports.page.show")).click()

    title = page.locator("article.bluebook header h1")
    expect(title).not_to_have_text(zh_title)
    expect(page.locator("article.bluebook")).to_have_attribute("lang", "en")
    expect(page.locator("article.bluebook header nav h2")).to_have_text(EN("reports.contents"))


def test_a_regulators_bluebook_covers_its_jurisdiction(
    page: Any, login: Callable[..., None], screenshot: Callable[[Any, str], Path]
) -> None:
    login(page, "inspector@binjiang.example")
    page.goto("/reports")

    book = page.locator("article.bluebook")
    expect(book.locator("header")).to_contain_text("滨江区市场监管局辖区")
    supervision = book.locator("#bb-supervision")
    expect(supervision.locator("table").first).to_be_visible()
    assert supervision.locator("table tbody tr").count() > 0
    expect(book.locator("#bb-industry table").first).to_be_visible()
    screenshot(page, "reports-bluebook-regulator")
