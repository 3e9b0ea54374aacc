"""Pasting a live script into the compliance scan page and reading the highlighted findings."""

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
SCRIPT = "家人们，这款面霜是全网最低价，国家级配方，用了三天就能美白祛斑，赶紧下单！"
#: The text of an element without its superscript finding numbers.
WITHOUT_SUP = (
    "el => { const c = el.cloneNode(true); c.querySelectorAll('sup').forEach(s => s.remove());"
    " return c.textContent; }"
)
CLEAN = "今天给大家介绍这款保温杯，容量500毫升，下单后48小时内发货。"


def scan(page: Any, text: str, *, store: bool = False) -> Any:
    page.goto("/compliance")
    page.locator("#text").fill(text)
    if store:
        page.locator("input[name=store]").check()
    with page.expect_navigation():
        page.locator("form[action='/compliance/scan'] button[type=submit]").click()
    return page.locator("section.cq-result")


def test_pasted_script_shows_highlighted_findings(
    page: Any, login: Callable[..., None], screenshot: Callable[[Any, str], Path]
) -> None:
    login(page, "compliance@xinghe.example")

    result = scan(page, SCRIPT)

    marks = result.locator(".cq-text mark")
    expect(marks.first).to_be_visible()
    texts = marks.evaluate_all(f"marks => marks.map(m => ({WITHOUT_SUP})(m))")
    assert any("国家级" in text for text in texts), texts
    assert any("最低价" in text for text in texts), texts
    assert all(text and text in SCRIPT for text in texts), texts
    # The highlighted text reads as the script itself, marks included.
    assert result.locator(".cq-text").evaluate(WITHOUT_SUP) == SCRIPT

    findings = result.locator("ol.cq-findings > li")
    assert findings.count() >= 3
    expect(result.locator("ol.cq-findings")).to_contain_text(ZH("compliance.code.absolute_term"))
    expect(result.locator("ol.cq-findings")).to_contain_text("absolute_term")
    # Each superscript number links to its finding in the list below.
    first_link = marks.first.locator("sup a").first
    target = first_link.get_attribute("href") or ""
    assert re.fullmatch(r"#finding-\d+", target), target
    expect(page.locator(target)).to_be_visible()
    screenshot(page, "compliance-scan-findings")


def test_clean_script_has_no_highlights(page: Any, login: Callable[..., None]) -> None:
    login(page, "compliance@xinghe.example")

    result = scan(page, CLEAN)

    expect(result).to_contain_text(ZH("compliance.scan.clean"))
    expect(result.locator(".cq-text mark")).to_have_count(0)
    expect(result.locator(".cq-text")).to_have_text(CLEAN)


def test_stored_scan_opens_with_its_findings(page: Any, login: Callable[..., None]) -> None:
    login(page, "compliance@xinghe.example")

    result = scan(page, SCRIPT, store=True)
    stored = result.locator("a[href^='/compliance/scans/']")
    expect(stored).to_be_visible()

    stored.click()
    expect(page).to_have_url(re.compile(r"/compliance/scans/\d+$"))
    expect(page.locator("main mark").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("国家级")
