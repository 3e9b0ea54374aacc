"""Role home pages in a real browser: panels and charts per demo role, in zh-CN and English,
with a full-page screenshot of each under test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

#: Demo login → the panels of its home page, in order; the charted panels.
HOMES = {
    "qc@xinghe.example": ("vetting", "documents", "lots"),
    "compliance@xinghe.example": ("live", "risks"),
    "aftersales@xinghe.example": ("queue",),
    "inspector@binjiang.example": ("risk", "checks", "campaigns", "escalated"),
    "staff@xiaoxie.example": ("escalated",),
    "risk@kuaigou.example": ("live", "risks"),
}
CHARTED = {"risks", "escalated"}


def check_home(page: Any, panels: tuple[str, ...], locale: str) -> None:
    t = translator(locale)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    sections = page.locator("section.dash-panel")
    expect(sections).to_have_count(len(panels))
    for key in panels:
        panel = page.locator(f"#panel-{key}")
        expect(panel.get_by_role("heading", level=2)).to_have_text(t(f"dashboards.panel.{key}"))
        expect(panel.locator(".dash-figure a").first).to_be_visible()
        if key in CHARTED:
            chart = panel.locator("figure.dash-chart svg")
            expect(chart).to_be_visible()
            assert chart.bounding_box()["height"] > 100
            expect(panel.locator("figure.dash-chart svg title")).to_have_text(
                t(panel_chart_title(key))
            )


def panel_chart_title(key: str) -> str:
    return {
        "risks": "dashboards.chart.findings_per_code",
        "escalated": "dashboards.chart.complaints_per_type",
    }[key]


@pytest.mark.parametrize("email", list(HOMES), ids=[e.split(".")[0] for e in HOMES])
def test_each_role_home_page_in_both_languages(
    page: Any,
    login: Callable[..., None],
    screenshot: Callable[[Any, str], Path],
    email: str,
) -> None:
    login(page, email)
    name = email.replace("@", "-at-")
    check_home(page, HOMES[email], "zh-CN")
    assert screenshot(page, f"home-{name}-zh-CN").stat().st_size > 10_000

    with page.expect_navigation():
        page.locator(".langs a[hreflang=en]").click()
    check_home(page, HOMES[email], "en")
    assert screenshot(page, f"home-{name}-en").stat().st_size > 10_000


def test_a_number_opens_the_list_it_counts(page: Any, login: Callable[..., None]) -> None:
    login(page, "qc@xinghe.example")
    figure = page.locator("#panel-documents .dash-figure[data-figure=expired] a")
    count = int(figure.locator(".dash-count").inner_text())
    with page.expect_navigation():
        figure.click()
    assert page.url.endswith("/dashboards/documents/expired")
    expect(page.locator("main .dash-items > li")).to_have_count(count)


def test_the_chart_data_table_opens_for_screen_readers(
    page: Any, login: Callable[..., None]
) -> None:
    login(page, "compliance@xinghe.example")
    chart = page.locator("#chart-risks")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    expect(chart.locator("table")).to_be_hidden()
    chart.locator("summary").click()
    expect(chart.locator("table caption")).to_be_visible()
    assert chart.locator("tbody tr").count() == 8


def test_home_page_on_postgresql(pg_page: Any, login: Callable[..., None]) -> None:
    login(pg_page, "aftersales@xinghe.example")
    check_home(pg_page, HOMES["aftersales@xinghe.example"], "zh-CN")
