"""A compliance reviewer watches the live monitor while a recorded show is replayed into the
server's ingest WebSocket: the alerts appear in the page as they are raised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.live_sessions.replay import RECORDINGS, replay_url
from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

REVIEWER = "compliance@xinghe.example"
ZH = translator("zh-CN")


def ready_session(page: Any, headers: dict[str, str]) -> dict[str, Any]:
    """A session of the reviewer's agency that is ready to go on air (demo data)."""
    response = page.request.get("/api/v1/live-sessions?limit=100", headers=headers)
    assert response.ok, response.text()
    ready = [row for row in response.json()["items"] if row["status"] == "ready"]
    assert ready, "the demo data has no live session ready to go on air"
    return dict(ready[0])


def test_replayed_show_raises_alerts_in_the_live_monitor(
    page: Any,
    live_server: Any,
    login: Callable[..., None],
    api_headers: Callable[[Any, str], dict[str, str]],
    screenshot: Callable[[Any, str], Path],
) -> None:
    headers = api_headers(page, REVIEWER)
    token = headers["Authorization"].removeprefix("Bearer ")
    live = ready_session(page, headers)
    login(page, REVIEWER)

    # The monitor streams only alerts raised after it subscribed: wait for the stream to open.
    with page.expect_response(lambda r: r.url.endswith("/live-sessions/monitor/stream")) as opened:
        page.goto("/live-sessions/monitor")
    assert opened.value.status == 200
    feed = page.locator("#lsq-feed tbody tr")
    expect(feed).to_have_count(0)

    summary = replay_url(
        RECORDINGS / "xinghe.jsonl",
        url=live_server.base_url,
        token=token,
        live_session_id=live["id"],
        speed=0,
    )
    assert summary.alerts > 0, summary

    expect(feed).to_have_count(summary.alerts)
    codes = " ".join(feed.locator("td:nth-child(5) strong").all_inner_texts())
    for code in summary.codes:
        assert code in codes, (code, codes)
    first = feed.first
    expect(first.locator("a")).to_have_text(f"#{live['id']}")
    expect(first.locator("mark")).to_be_visible()
    screenshot(page, "live-monitor-alerts")

    # The session page lists the same alerts from the database; the reviewer disposes of one.
    first.locator("a").click()
    rows = page.locator("#lsq-feed tbody tr")
    expect(rows).to_have_count(summary.alerts)
    expect(page.locator("dl.facts .tag").first).to_have_text(ZH("live_sessions.status.live"))
    alert_id = rows.first.get_attribute("data-alert-id")
    form = rows.first.locator("form.lsq-dispose")
    form.locator("select[name=disposition]").select_option("accepted")
    form.locator("input[name=reason]").fill("主播已口头更正，保留记录")
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.get_by_role("status")).to_be_visible()
    disposed = page.locator(f"#lsq-feed tr[data-alert-id='{alert_id}'] .lsq-disposition")
    expect(disposed).to_contain_text(ZH("live_sessions.disposition.accepted"))
    expect(disposed).to_contain_text("主播已口头更正，保留记录")
    expect(disposed.locator("form")).to_have_count(0)

    with page.expect_navigation():
        page.locator("form[action$='/actions/end'] button").click()
    expect(page.locator("dl.facts .tag").first).to_have_text(ZH("live_sessions.status.ended"))
