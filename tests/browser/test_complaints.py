"""A consumer files a complaint without an account, follows it by tracking code, and the
agency's after-sales queue shows it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
CODE = re.compile(r"/complaints/track/([A-Z0-9-]+)$")


def file_complaint(page: Any, description: str, phone: str) -> str:
    """File through the public form, choosing the agency; returns the tracking code."""
    page.goto("/complaints/file")
    page.locator("#organisation_id").select_option(label="星河直播")
    page.locator("#room_reference").fill("星河直播间 美妆专场")
    page.locator("#contact_phone").fill(phone)
    page.locator("#order_number").fill(f"DD{uuid.uuid4().int % 10**12:012d}")
    page.locator("#price_paid").fill("129.00")
    page.locator("#description").fill(description)
    page.locator("#desired_remedy").select_option("refund")
    with page.expect_navigation():
        page.get_by_role("button", name=ZH("complaints.submit")).click()
    match = CODE.search(page.url)
    assert match, f"not on a tracking page: {page.url}"
    return match.group(1)


def test_public_complaint_is_filed_and_followed_by_tracking_code(
    page: Any, browser: Any, live_server: Any, screenshot: Callable[[Any, str], Path]
) -> None:
    marker = uuid.uuid4().hex[:8]
    description = f"直播间买的面膜用后脸部红肿过敏，客服不回复，要求退款（{marker}）"

    code = file_complaint(page, description, "13800138000")

    expect(page.get_by_role("status")).to_have_text(ZH("complaints.filed"))
    expect(page.locator("main")).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("星河直播")
    expect(page.locator("nav.sidebar")).to_have_count(0)
    screenshot(page, "complaint-filed")

    # A new visitor (no cookies) follows the case by typing the code.
    other = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        visitor = other.new_page()
        visitor.goto("/complaints/track")
        visitor.locator("#code").fill(code.lower())
        with visitor.expect_navigation():
            visitor.locator("form[action='/complaints/track'] button").click()
        expect(visitor).to_have_url(re.compile(re.escape(f"/complaints/track/{code}") + "$"))
        case = visitor.locator("main dl")
        expect(case).to_contain_text(code)
        expect(case).to_contain_text("星河直播")
        expect(case).to_contain_text(ZH("complaints.status"))
        # The public view never shows the consumer's contact details.
        expect(visitor.locator("main")).not_to_contain_text("13800138000")
        expect(visitor.locator("main ol li").first).to_be_visible()
    finally:
        other.close()


def test_unknown_tracking_code_says_not_found(page: Any) -> None:
    page.goto("/complaints/track/LQ-0000-0000-0000-0000")

    expect(page.get_by_role("alert")).to_have_text(ZH("complaints.not_found"))


def act(page: Any, action: str, **fields: str) -> None:
    """Submit the complaint page's form for ``action`` with ``fields`` filled in."""
    form = page.locator("form", has=page.locator(f"input[name=action][value={action}]"))
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_after_sales_resolves_and_the_consumer_disputes(
    page: Any, browser: Any, live_server: Any, login: Callable[..., None]
) -> None:
    marker = uuid.uuid4().hex[:8]
    code = file_complaint(page, f"收到的吹风机无法开机，要求换货处理（{marker}）", "13900139000")

    login(page, "aftersales@xinghe.example")
    page.goto("/complaints")
    row = page.locator("tbody tr", has_text=marker)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("13900139000")
    row.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+$"))
    expect(page.locator("main dl")).to_contain_text(code)

    heading = page.locator("h1")
    act(page, "acknowledge")
    expect(heading).to_contain_text(ZH("complaints.state.acknowledged"))
    act(page, "investigate")
    expect(heading).to_contain_text(ZH("complaints.state.investigating"))
    act(page, "resolve", remedy="exchange", amount="0")
    expect(heading).to_contain_text(ZH("complaints.state.resolved"))

    consumer_context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        consumer = consumer_context.new_page()
        consumer.goto(f"/complaints/track/{code}")
        case = consumer.locator("main dl")
        expect(case).to_contain_text(ZH("complaints.state.resolved"))
        expect(case).to_contain_text(ZH("complaints.remedy.exchange"))

        consumer.locator("#reason").fill("换货后的吹风机仍然无法开机")
        with consumer.expect_navigation():
            consumer.get_by_role("button", name=ZH("complaints.dispute")).click()
        expect(case).to_contain_text(ZH("complaints.state.investigating"))
    finally:
        consumer_context.close()

    page.reload()
    expect(heading).to_contain_text(ZH("complaints.state.investigating"))
