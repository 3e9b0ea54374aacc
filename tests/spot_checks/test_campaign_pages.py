"""The campaigns console: a regulator lists, defines (validated, audited) and runs campaigns and
reads the latest report; everyone else is refused."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.db import tenancy
from liveqc.events.models import AuditEvent
from liveqc.spot_checks.models import Campaign
from liveqc.web.i18n import translator

REGULATOR = "inspector@binjiang.example"
TODAY = date.today()
CODES = ["absolute_term", "price_fraud", "medical_claim", "guarantee_claim"]


def sign_in(client: TestClient, email: str, locale: str = "zh-CN") -> None:
    client.get(f"/lang/{locale}")
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {"email": email, "password": "demo-password", "csrf": csrf}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def csrf_of(client: TestClient, path: str = "/spot-checks/campaigns/new") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def define(client: TestClient, **fields: Any) -> Any:
    """Submit the definition form; ``fields`` override a valid campaign."""
    data: dict[str, Any] = {
        "csrf": csrf_of(client),
        "title": "直播话术专项整治",
        "theme": "绝对化用语与价格欺诈",
        "codes": CODES,
        "period_from": str(TODAY - timedelta(days=60)),
        "period_to": str(TODAY + timedelta(days=1)),
    }
    data.update(fields)
    return client.post("/spot-checks/campaigns/new", data=data, follow_redirects=False)


def created_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/spot-checks/campaigns/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def stored(session: Session, campaign_id: int) -> Campaign:
    session.expire_all()
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        row = session.get(Campaign, campaign_id)
    assert row is not None
    return row


def test_a_defined_campaign_is_stored_audited_and_shown(
    client: TestClient, demo: Any, session: Session
) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client, categories=["cosmetics", "food"]))
    row = stored(session, campaign_id)
    assert row.codes == CODES and row.categories == ["cosmetics", "food"]
    assert row.period_to == TODAY + timedelta(days=1)
    inspector = accounts.get_user_or_raise(session, REGULATOR)
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "spot_check_campaigns",
                AuditEvent.object_id == str(campaign_id),
            )
        ).all()
    assert [(e.action, e.actor_user_id) for e in events] == [("create", inspector.id)]
    assert events[0].organisation_id == row.organisation_id
    assert events[0].after == {"title": "直播话术专项整治", "codes": CODES}
    page = client.get(f"/spot-checks/campaigns/{campaign_id}")
    assert page.status_code == 200
    t = translator("zh-CN")
    assert t("campaigns_page.created") in page.text
    for text in (
        row.title,
        row.theme,
        t("products.cat.cosmetics"),
        t("compliance.code.price_fraud"),
    ):
        assert text in page.text
    assert t("campaigns_page.no_report") in page.text
    assert f'action="/spot-checks/campaigns/{campaign_id}/run"' in page.text


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"codes": []}, "codes"),
        ({"codes": ["no_such_code"]}, "codes"),
        ({"categories": ["spaceships"]}, "categories"),
        ({"period_to": str(TODAY - timedelta(days=90))}, "period_to"),
        ({"period_from": "not-a-date"}, "period_from"),
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_a_refused_definition_shows_why_on_the_form_and_keeps_the_values(
    client: TestClient, demo: Any, session: Session, fields: dict[str, Any], field: str
) -> None:
    sign_in(client, REGULATOR, "en")
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        before = len(session.scalars(select(Campaign)).all())
    response = define(client, theme="保留的主题", **fields)
    assert response.status_code == 422
    errors = response.text.split('id="campaign-errors"', 1)[1].split("</div>", 1)[0]
    assert f"<li>{field}" in errors or f"{field}:" in errors, errors
    assert translator("en")("campaigns_page.invalid") in response.text
    assert 'value="保留的主题"' in response.text
    with tenancy.bypass_tenancy(session, reason="test", quiet=True):
        assert len(session.scalars(select(Campaign)).all()) == before


def test_forms_need_their_csrf_token(client: TestClient, demo: Any) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client))
    assert define(client, csrf="forged").status_code == 403
    run = client.post(f"/spot-checks/campaigns/{campaign_id}/run", data={"csrf": "forged"})
    assert run.status_code == 403


def test_the_list_sorts_filters_paginates_and_exports(client: TestClient, demo: Any) -> None:
    sign_in(client, REGULATOR, "en")
    old = created_id(define(client, title="Old sweep", period_from="2025-01-01",
                            period_to="2025-03-31"))  # fmt: skip
    now = created_id(define(client, title="Current sweep"))
    later = {"period_from": str(TODAY + timedelta(days=10)),
             "period_to": str(TODAY + timedelta(days=40))}  # fmt: skip
    soon = created_id(define(client, title="Next sweep", **later))
    page = client.get("/spot-checks/campaigns")
    assert page.status_code == 200
    ids = [int(i) for i in re.findall(r'href="/spot-checks/campaigns/(\d+)"', page.text)]
    assert ids[:3] == [soon, now, old]  # newest first
    by_title = client.get("/spot-checks/campaigns", params={"sort": "title", "dir": "asc"}).text
    titles = re.findall(r'href="/spot-checks/campaigns/\d+">([^<]+)<', by_title)
    assert titles == sorted(titles)
    current = client.get("/spot-checks/campaigns", params={"state": "current"}).text
    assert "Current sweep" in current and "Old sweep" not in current
    assert "Next sweep" not in current
    ended = client.get("/spot-checks/campaigns", params={"f.state": "past"}).text
    assert "Old sweep" in ended and "Current sweep" not in ended
    found = client.get("/spot-checks/campaigns", params={"f.title": "next"}).text
    assert "Next sweep" in found and "Old sweep" not in found
    paged = client.get("/spot-checks/campaigns", params={"per_page": 1, "page": 2}).text
    assert re.findall(r'href="/spot-checks/campaigns/(\d+)"', paged)[0] == str(now)
    assert 'rel="prev"' in paged and 'rel="next"' in paged
    for path in ("/spot-checks/campaigns", f"/spot-checks/campaigns/{now}"):
        assert not re.search(r"campaigns_page\.[a-z_.]+", client.get(path).text), path
    bad = client.get("/spot-checks/campaigns", params={"sort": "nope"})
    assert bad.status_code == 422 and "nope" in bad.json()["detail"]
    exported = client.get("/spot-checks/campaigns", params={"export": "csv", "state": "current"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    t = translator("en")
    assert rows[0][1] == t("campaigns_page.field.title")
    assert "Current sweep" in {r[1] for r in rows[1:]}
    assert {r[6] for r in rows[1:]} == {t("campaigns_page.state.current")}
    book = client.get("/spot-checks/campaigns", params={"export": "xlsx", "sort": "title"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    listed = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert {"Old sweep", "Current sweep", "Next sweep"} <= set(listed)
    assert listed == sorted(listed)


def test_a_run_starts_a_job_and_the_page_shows_its_bar_and_report(
    client: TestClient, demo: Any, session: Session
) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client))
    csrf = csrf_of(client, f"/spot-checks/campaigns/{campaign_id}")
    started = client.post(
        f"/spot-checks/campaigns/{campaign_id}/run", data={"csrf": csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    location = started.headers["location"]
    job_id = int(re.fullmatch(rf"/spot-checks/campaigns/{campaign_id}\?job=(\d+)", location)[1])  # type: ignore[index]
    page = client.get(location).text
    bar = page.split("data-job-progress", 1)[1].split("data-job-result", 1)[0]
    assert f'data-status-url="/jobs/{job_id}/status.json"' in bar
    assert 'data-status="succeeded"' in bar and 'value="100"' in bar
    report = stored(session, campaign_id).report
    assert report is not None and report["total"] > 0
    figures = page.split('id="campaign-figures"', 1)[1].split("</dl>", 1)[0]
    assert f'data-figure="total">{report["total"]}<' in figures
    assert f'data-figure="covered">{report["organisations_covered"]}<' in figures
    for source in ("finding", "alert", "rescan"):
        assert f'data-figure="{source}">{report["by_source"].get(source, 0)}<' in figures
    for org in report["by_organisation"]:
        assert f"<td>{org['organisation']}</td><td>{org['count']}</td>" in page
    runs = page.split('id="campaign-runs"', 1)[1].split("</table>", 1)[0]
    assert runs.count("<tr>") == 2 and REGULATOR in runs and str(report["total"]) in runs
    status = client.get(f"/jobs/{job_id}/status.json").json()
    assert status["finished"] and status["summary"]
    downloaded = client.get(f"/spot-checks/campaigns/{campaign_id}/report.json")
    assert json.loads(downloaded.content)["total"] == report["total"]
    assert "attachment" in downloaded.headers["content-disposition"]
    book = client.get(f"/spot-checks/campaigns/{campaign_id}/report.xlsx")
    assert "按机构" in load_workbook(io.BytesIO(book.content)).sheetnames
    assert client.get(f"/spot-checks/campaigns/{campaign_id}/report.pdf").content[:5] == b"%PDF-"
    assert client.get(f"/spot-checks/campaigns/{campaign_id}/report.doc").status_code == 422
    assert client.get(f"/spot-checks/campaigns/{campaign_id}?job=999999").status_code == 404


def test_an_unrun_campaign_has_no_report_file(client: TestClient, demo: Any) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client))
    response = client.get(f"/spot-checks/campaigns/{campaign_id}/report.json")
    assert response.status_code == 422 and "has not been run" in response.json()["detail"]
    assert client.get("/spot-checks/campaigns/999999").status_code == 404


def test_the_home_page_links_campaigns_to_their_pages(client: TestClient, demo: Any) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client, title="首页链接专项"))
    home = client.get("/").text
    assert f'href="/spot-checks/campaigns/{campaign_id}"' in home
    assert 'href="/spot-checks/campaigns?state=current"' in home
    assert "/dashboards/campaigns/" not in home


def test_other_organisations_are_refused(client: TestClient, demo: Any) -> None:
    sign_in(client, REGULATOR)
    campaign_id = created_id(define(client))
    client.post("/logout", data={"csrf": csrf_of(client, "/spot-checks/campaigns")})
    assert client.get("/spot-checks/campaigns", follow_redirects=False).status_code == 303
    sign_in(client, "admin@xinghe.example")
    csrf = csrf_of(client, "/spot-checks")
    for path in ("/spot-checks/campaigns", "/spot-checks/campaigns/new",
                 f"/spot-checks/campaigns/{campaign_id}",
                 f"/spot-checks/campaigns/{campaign_id}/report.json"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission-denied"
    refused = client.post(f"/spot-checks/campaigns/{campaign_id}/run", data={"csrf": csrf})
    assert refused.status_code == 403
    form = {"csrf": csrf, "title": "x", "codes": ["price_fraud"],
            "period_from": str(TODAY), "period_to": str(TODAY)}  # fmt: skip
    assert client.post("/spot-checks/campaigns/new", data=form).status_code == 403
