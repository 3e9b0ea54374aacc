"""A regulator defines a governance campaign in the console, runs it, watches the bar reach done
and reads the report's figures on the campaign's page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
CODES = ("absolute_term", "price_fraud", "medical_claim", "guarantee_claim")


def define_and_run(page: Any, login: Callable[..., None]) -> tuple[int, str]:
    """Define a campaign through the form and start its run; returns its id and title."""
    login(page, "inspector@binjiang.example")
    page.goto("/spot-checks/campaigns")
    expect(page.locator("h1")).to_have_text(ZH("campaigns_page.title"))
    with page.expect_navigation():
        page.locator("#campaign-new").click()
    title = f"直播话术专项整治 {uuid.uuid4().hex[:6]}"
    page.locator("#c-title").fill(title)
    page.locator("#c-theme").fill("绝对化用语、价格欺诈")
    # first without codes: the form says why and keeps what was typed
    page.locator("#c-from").fill(str(date.today() - timedelta(days=60)))
    page.locator("#c-to").fill(str(date.today() + timedelta(days=1)))
    with page.expect_navigation():
        page.locator("#campaign-form button[type=submit]").click()
    expect(page.locator("#campaign-errors")).to_contain_text("codes")
    expect(page.locator("#c-title")).to_have_value(title)
    for code in CODES:
        page.locator(f"#campaign-form input[name=codes][value={code}]").check()
    with page.expect_navigation():
        page.locator("#campaign-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/spot-checks/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("#campaign-no-report")).to_be_visible()
    with page.expect_navigation():
        page.locator("#campaign-run button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/spot-checks/campaigns/{campaign_id}\?job=\d+$"))
    return campaign_id, title


def watch_run(page: Any, campaign_id: int, title: str) -> None:
    bar = page.locator("[data-job-progress]")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(bar.locator("progress")).to_have_attribute("value", "100")
    expect(bar.locator("[data-job-status]")).to_have_text(ZH("jobs.status.succeeded"))
    # the page reloaded when the job ended: the report's figures are those of the stored report
    report = page.request.get(f"/spot-checks/campaigns/{campaign_id}/report.json")
    assert report.ok, report.text()
    doc = report.json()
    assert doc["title"] == title and doc["total"] > 0
    figures = page.locator("#campaign-figures")
    expect(figures.locator('[data-figure="total"]')).to_have_text(str(doc["total"]))
    expect(figures.locator('[data-figure="covered"]')).to_have_text(
        str(doc["organisations_covered"])
    )
    rows = page.locator("#campaign-by-organisation tbody tr")
    expect(rows).to_have_count(len(doc["by_organisation"]))
    expect(rows.first).to_contain_text(doc["by_organisation"][0]["organisation"])
    expect(page.locator("#campaign-runs tbody tr")).to_have_count(1)
    expect(page.locator("#campaign-downloads a")).to_have_count(3)
    # the list shows the run too
    page.goto("/spot-checks/campaigns?f.title=" + title.split()[-1])
    row = page.locator("#campaigns-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(str(doc["total"]))


def test_inspector_defines_and_runs_a_campaign(
    page: Any, login: Callable[..., None], screenshot: Callable[[Any, str], Path]
) -> None:
    campaign_id, title = define_and_run(page, login)
    watch_run(page, campaign_id, title)
    page.goto(f"/spot-checks/campaigns/{campaign_id}")
    screenshot(page, "campaign-report")


def test_campaign_run_on_postgresql(pg_page: Any, login: Callable[..., None]) -> None:
    campaign_id, title = define_and_run(pg_page, login)
    watch_run(pg_page, campaign_id, title)
