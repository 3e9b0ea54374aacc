"""A QC reviewer imports a product list from the console: the upload starts a background job,
its bar runs to done, the report appears, the header tray notifies and the sidebar leads to
the jobs list."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator
from tests.products.test_importing import good_row, xlsx

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
ROWS = 120


def import_list(page: Any, tmp_path: Path, prefix: str) -> None:
    """Upload a list of ``ROWS`` new products on the import page."""
    rows = [good_row(f"{prefix}-{n:03d}", gtin="") for n in range(ROWS)]
    upload = tmp_path / "products.xlsx"
    upload.write_bytes(xlsx(rows))
    page.goto("/products/import")
    page.locator("#i-file").set_input_files(str(upload))
    with page.expect_navigation():
        page.locator("form[action='/products/import'] button[type=submit]").click()


def watch_import(
    page: Any, prefix: str, screenshot: Callable[[Any, str], Path] | None = None
) -> None:
    expect(page).to_have_url(re.compile(r"/products/import\?job=\d+$"))
    job_id = re.search(r"job=(\d+)", page.url).group(1)  # type: ignore[union-attr]
    bar = page.locator("[data-job-progress]")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(bar.locator("progress")).to_have_attribute("value", "100")
    expect(bar.locator("[data-job-status]")).to_have_text(ZH("jobs.status.succeeded"))
    # the finished job's row report, shown on the same page
    expect(page.locator("main table")).to_contain_text(f"{prefix}-{ROWS - 1:03d}")
    # the header tray: one unread notification, naming the job
    tray = page.locator("[data-jobs-tray]")
    expect(tray.locator("[data-jobs-count]")).to_have_text("1")
    tray.locator("summary").click()
    item = tray.locator(".jobs-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"{ZH('jobs.kinds.products.import')} #{job_id}")
    expect(item).to_contain_text(ZH("jobs.status.succeeded"))
    if screenshot is not None:
        screenshot(page, "jobs-tray")
    # the sidebar leads to my jobs; opening the job reads the notification
    nav = page.locator("nav.sidebar").get_by_role("link", name=ZH("nav.jobs"))
    nav.click()
    expect(page).to_have_url(re.compile(r"/jobs$"))
    expect(nav).to_have_attribute("aria-current", "page")
    page.locator(f"main a[href='/jobs/{job_id}']").first.click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job_id}$"))
    expect(page.locator("h1")).to_contain_text(ZH("jobs.kinds.products.import"))
    expect(page.locator("[data-jobs-count]")).to_be_hidden()


def test_product_import_runs_as_a_job_with_a_bar_and_a_notification(
    page: Any,
    login: Callable[..., None],
    tmp_path: Path,
    screenshot: Callable[[Any, str], Path],
) -> None:
    login(page, "qc@xinghe.example")
    import_list(page, tmp_path, "BJ")
    watch_import(page, "BJ", screenshot)
    screenshot(page, "job-detail")


def test_product_import_job_on_postgresql(
    pg_page: Any, login: Callable[..., None], tmp_path: Path
) -> None:
    login(pg_page, "qc@xinghe.example")
    import_list(pg_page, tmp_path, "PJ")
    watch_import(pg_page, "PJ")
