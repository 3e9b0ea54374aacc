"""The home page and the drill-down lists through the console, per role and language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from liveqc.accounts import service as accounts
from liveqc.accounts.models import OrganisationKind, Role
from liveqc.dashboards.figures import LIST_CAP
from liveqc.web.i18n import translator

ROLE_PANELS = {
    "qc@xinghe.example": ("vetting", "documents", "lots"),
    "compliance@xinghe.example": ("live", "risks"),
    "aftersales@xinghe.example": ("queue",),
    "admin@xinghe.example": ("summary",),
    "risk@kuaigou.example": ("live", "risks"),
    "inspector@binjiang.example": ("risk", "checks", "campaigns", "escalated"),
    "staff@xiaoxie.example": ("escalated",),
}
CHARTED = {"risks", "escalated"}


def sign_in(client: TestClient, email: str, locale: str = "zh-CN") -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/login",
        data={"email": email, "password": "demo-password", "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.get(f"/lang/{locale}")


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("email", sorted(ROLE_PANELS))
def test_home_shows_each_role_panel_in_both_languages(
    client: TestClient, demo: Any, email: str, locale: str
) -> None:
    sign_in(client, email, locale)
    response = client.get("/")
    assert response.status_code == 200
    t = translator(locale)
    main = main_of(response.text)
    assert f'lang="{locale}"' in response.text
    found = re.findall(r'<section class="dash-panel" id="panel-([a-z_]+)"', main)
    assert tuple(found) == ROLE_PANELS[email]
    for key in found:
        assert t(f"dashboards.panel.{key}") in main
    charts = re.findall(r'<svg[^>]*role="img"[^>]*>\s*<title>([^<]+)</title>', main)
    assert len(charts) == len(CHARTED & set(found))
    for title in charts:
        assert f"<caption>{title}</caption>" in main, "each chart has a data table"
    if locale == "en":
        assert not re.search(r"dashboards\.[a-z_.]+", main), "every text key is translated"


@pytest.mark.parametrize("email", sorted(ROLE_PANELS))
def test_every_link_on_the_home_page_opens(client: TestClient, demo: Any, email: str) -> None:
    sign_in(client, email)
    main = main_of(client.get("/").text)
    links = {
        href.split("#")[0].replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', main)
    }
    assert links
    for href in sorted(links):
        response = client.get(href, follow_redirects=False)
        assert response.status_code == 200, (href, response.status_code)


def test_numbers_link_to_what_they_count(client: TestClient, demo: Any) -> None:
    sign_in(client, "qc@xinghe.example", "en")
    main = main_of(client.get("/").text)
    figures = re.findall(r'<a href="([^"]+)"><span class="dash-count">(\d+)</span>', main)
    assert figures
    for href, count in figures:
        page = client.get(href.replace("&amp;", "&")).text
        if href.startswith("/dashboards/"):
            listed = main_of(page).count("<li><a href=")
            assert listed == min(int(count), LIST_CAP)
        elif href.startswith("/products?status="):
            assert f"{count} products" in page


def test_a_drill_down_of_another_role_or_unknown_figure_is_refused(
    client: TestClient, demo: Any
) -> None:
    sign_in(client, "qc@xinghe.example")
    assert client.get("/dashboards/risk/agencies").status_code == 404
    assert client.get("/dashboards/documents/nope").status_code == 404
    assert client.get("/dashboards/Bad-Key/x").status_code == 422


def test_an_organisation_without_data_sees_calm_empty_panels(
    client: TestClient, session: Session
) -> None:
    org = accounts.create_organisation(
        session, name="空白直播", kind=OrganisationKind.AGENCY, region="浙江省杭州市"
    )
    user = accounts.create_user(session, email="new@blank.example", password="demo-password")
    for role in (Role.QC_REVIEWER, Role.COMPLIANCE_REVIEWER, Role.AFTER_SALES):
        accounts.add_membership(session, user=user, organisation=org, role=role)
    session.commit()
    sign_in(client, "new@blank.example", "en")
    main = main_of(client.get("/").text)
    t = translator("en")
    for key in ("vetting", "documents", "lots", "live", "queue"):
        assert t(f"dashboards.none.{key}") in main
    assert set(re.findall(r'class="dash-count">(\d+)<', main)) == {"0"}
    assert t("dashboards.chart.empty") in main
    assert client.get("/dashboards/queue/overdue").status_code == 200
    assert t("dashboards.empty") in client.get("/dashboards/queue/overdue").text


def test_every_text_the_templates_use_exists_in_both_languages() -> None:
    from liveqc.dashboards import pages
    from liveqc.dashboards.service import PANELS
    from liveqc.products.documents import DocumentType
    from liveqc.web.i18n import catalogue

    keys = set()
    for template in (pages.HERE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"[\u4e00-\u9fff]", text), template
        keys |= set(re.findall(r't\("([a-z_.]+[a-z_])"', text))
    for panel in PANELS:
        keys |= {f"dashboards.{part}.{panel}" for part in ("panel", "first", "none", "value")}
    keys |= {f"dashboards.doc.{d.value}" for d in DocumentType}
    for locale in ("zh-CN", "en"):
        assert keys <= set(catalogue(locale)), sorted(keys - set(catalogue(locale)))


def test_a_chart_folds_its_smallest_series_into_other_until_the_legend_fits() -> None:
    from liveqc.dashboards.pages import folded, legend_fits

    t = translator("en")
    names = [
        t(f"compliance.code.{c}")
        for c in (
            "efficacy_unsupported",
            "price_fraud",
            "medical_claim",
            "absolute_term",
            "guarantee_claim",
            "minor_protection",
            "off_platform_transaction",
        )
    ]
    series = [(name, (float(i), 1.0)) for i, name in enumerate(names)]
    assert not legend_fits(names)
    shown = folded(series, "Other")
    assert legend_fits([name for name, _ in shown]) and shown[-1][0] == "Other"
    assert [name for name, _ in shown[:-1]] == names[: len(shown) - 1]
    for column in (0, 1):
        assert sum(v[column] for _, v in shown) == sum(v[column] for _, v in series)
    short = [("A", (1.0,)), ("B", (2.0,))]
    assert folded(short, "Other") == short
