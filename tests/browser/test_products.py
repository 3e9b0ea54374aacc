"""A QC reviewer takes a draft product through the first vetting steps in the console."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")


def vetting_button(page: Any, action: str) -> Any:
    return page.locator(f"#vetting form[action$='/vetting/{action}'] button")


def state_tag(page: Any) -> Any:
    return page.locator("h1 .tag")


def filter_status(page: Any, status: str) -> Any:
    """The catalogue filtered by ``status``; returns the table's rows."""
    page.goto("/products")
    page.locator("#f-status").select_option(status)
    with page.expect_navigation():
        page.get_by_role("button", name=ZH("products.filter")).click()
    expect(page).to_have_url(re.compile(rf"status={status}"))
    return page.locator("tbody tr")


def test_draft_product_is_submitted_and_moved_to_documents_review(
    page: Any, login: Callable[..., None], screenshot: Callable[[Any, str], Path]
) -> None:
    login(page, "qc@xinghe.example")
    drafts = filter_status(page, "draft")
    expect(drafts.first).to_be_visible()
    link = drafts.first.get_by_role("link")
    name = link.inner_text()
    link.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(state_tag(page)).to_have_text(ZH("products.state.draft"))
    expect(vetting_button(page, "approve")).to_have_count(0)

    with page.expect_navigation():
        vetting_button(page, "submit").click()
    expect(state_tag(page)).to_have_text(ZH("products.state.submitted"))
    expect(page.get_by_role("status")).to_have_text(ZH("products.saved"))

    with page.expect_navigation():
        vetting_button(page, "review").click()
    expect(state_tag(page)).to_have_text(ZH("products.state.documents_review"))

    history = page.locator("#vetting tbody")
    expect(history).to_contain_text(ZH("products.action.submit"))
    expect(history).to_contain_text(ZH("products.action.review"))
    expect(history.locator("tr")).to_have_count(2)
    screenshot(page, "product-vetting")

    # A rejection needs a reason: without one the product stays where it is.
    with page.expect_navigation():
        vetting_button(page, "reject").click()
    expect(page.get_by_role("alert")).to_contain_text("reason")
    expect(state_tag(page)).to_have_text(ZH("products.state.documents_review"))

    page.locator("#vetting form[action$='/vetting/reject'] input[name=reason]").fill(
        "配料表与检测报告不一致"
    )
    with page.expect_navigation():
        vetting_button(page, "reject").click()
    expect(state_tag(page)).to_have_text(ZH("products.state.rejected"))
    expect(history).to_contain_text("配料表与检测报告不一致")


def skus(rows: Any) -> set[str]:
    return {text.strip() for text in rows.locator("td:first-child").all_inner_texts()}


def test_catalogue_filters_by_status_within_the_organisation(
    page: Any, browser: Any, live_server: Any, login: Callable[..., None]
) -> None:
    login(page, "qc@qinghe.example")
    rows = filter_status(page, "approved")
    expect(rows.first).to_be_visible()
    assert set(rows.locator(".tag").all_inner_texts()) == {ZH("products.state.approved")}
    qinghe = skus(rows)

    other = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        xinghe_page = other.new_page()
        login(xinghe_page, "qc@xinghe.example")
        xinghe_rows = filter_status(xinghe_page, "approved")
        expect(xinghe_rows.first).to_be_visible()
        # Tenancy: neither agency sees the other's products.
        assert qinghe.isdisjoint(skus(xinghe_rows))
    finally:
        other.close()
