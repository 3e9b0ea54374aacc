"""A regulator publishes a spot-check result and anyone sees it on the public page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.spot_checks.disclosure import CONCLUDED
from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
EN = translator("en")


def draft_result(page: Any, headers: dict[str, str]) -> tuple[int, str, str]:
    """A draft result publication of a concluded check, made through the API.

    Returns the publication id, its title and the product it names.
    """
    checks = page.request.get("/api/v1/spot-checks?limit=100", headers=headers)
    assert checks.ok, checks.text()
    concluded = [c for c in checks.json()["items"] if c["status"] in CONCLUDED]
    assert concluded, "the demo data has no concluded spot check"
    title = f"直播带货商品监督抽检结果 {uuid.uuid4().hex[:6]}"
    created = page.request.post(
        "/api/v1/publications",
        data={"kind": "result", "spot_check_id": concluded[0]["id"], "title": title},
        headers=headers,
    )
    assert created.status == 201, created.text()
    row = created.json()
    return int(row["id"]), title, str(row["data"]["product"])


def test_published_result_appears_on_the_public_page(
    page: Any,
    browser: Any,
    live_server: Any,
    login: Callable[..., None],
    api_headers: Callable[[Any, str], dict[str, str]],
    screenshot: Callable[[Any, str], Path],
) -> None:
    headers = api_headers(page, "inspector@binjiang.example")
    publication_id, title, product = draft_result(page, headers)
    visitor_context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        visitor = visitor_context.new_page()
        visitor.goto("/public/spot-checks")
        expect(visitor.locator("h1")).to_have_text(ZH("spot_checks.public.title"))
        expect(visitor.locator("main")).not_to_contain_text(title)

        login(page, "inspector@binjiang.example")
        page.goto("/spot-checks")
        draft = page.locator("li", has_text=f"#{publication_id} {title}")
        expect(draft).to_contain_text(ZH("spot_checks.publication_status.draft"))
        with page.expect_navigation():
            draft.get_by_role("button", name=ZH("spot_checks.publish")).click()
        published = page.locator("li", has_text=f"#{publication_id} {title}")
        expect(published).to_contain_text(ZH("spot_checks.publication_status.published"))
        expect(published.locator("form")).to_have_count(0)

        visitor.reload()
        row = visitor.locator("tbody tr", has_text=title)
        expect(row).to_contain_text(product)
        screenshot(visitor, "spot-checks-public")
        row.get_by_role("link", name=title).click()
        expect(visitor).to_have_url(re.compile(rf"/public/spot-checks/{publication_id}\b"))
        expect(visitor.locator("h1")).to_have_text(title)
        expect(visitor.locator("main dl")).to_contain_text("滨江区市场监管局")
        expect(visitor.locator("main dl")).to_contain_text(product)
        expect(visitor.locator("nav.sidebar")).to_have_count(0)
    finally:
        visitor_context.close()


def test_public_page_switches_to_english_without_login(page: Any) -> None:
    page.goto("/public/spot-checks")
    expect(page.locator("h1")).to_have_text(ZH("spot_checks.public.title"))

    page.locator("main a[hreflang='en']").click()
    expect(page.locator("h1")).to_have_text(EN("spot_checks.public.title"))
    assert ZH("spot_checks.public.title") != EN("spot_checks.public.title")
