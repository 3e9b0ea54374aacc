"""The console shell in a real browser: login per role, errors, language, organisations, logout."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liveqc.demo.data import USERS
from liveqc.web.i18n import translator

pytestmark = pytest.mark.browser

ZH = translator("zh-CN")
EN = translator("en")

#: The demo accounts of the API-access contract: email, organisation, role.
ROLES = [
    ("qc@xinghe.example", "星河直播", "qc_reviewer"),
    ("compliance@xinghe.example", "星河直播", "compliance_reviewer"),
    ("aftersales@xinghe.example", "星河直播", "after_sales"),
    ("admin@xinghe.example", "星河直播", "admin"),
    ("qc@qinghe.example", "青禾优选", "qc_reviewer"),
    ("risk@kuaigou.example", "快购平台", "compliance_reviewer"),
    ("inspector@binjiang.example", "滨江区市场监管局", "inspector"),
    ("staff@xiaoxie.example", "市消费者协会", "viewer"),
]
#: Display names come from the demo data set.
NAMES = {email: name for email, name, _, _ in USERS}


def nav(page: Any) -> Any:
    return page.locator("nav.sidebar")


@pytest.mark.parametrize(
    ("email", "organisation", "role"), ROLES, ids=[row[0].split(".")[0] for row in ROLES]
)
def test_each_demo_role_signs_in_to_its_home_page(
    page: Any,
    login: Callable[..., None],
    screenshot: Callable[[Any, str], Path],
    email: str,
    organisation: str,
    role: str,
) -> None:
    login(page, email)
    name = NAMES[email]
    assert name

    assert page.url.endswith("/")
    main = page.locator("main")
    expect(main).to_contain_text(name)
    expect(main).to_contain_text(organisation)
    expect(main).to_contain_text(ZH(f"role.{role}"))
    expect(page.locator("header")).to_contain_text(email)
    expect(nav(page).get_by_role("link", name=ZH("nav.products"))).to_be_visible()
    shot = screenshot(page, f"home-{email.replace('@', '-at-')}")
    assert shot.stat().st_size > 10_000


def test_wrong_password_shows_an_error_and_stays_on_login(
    page: Any, login: Callable[..., None]
) -> None:
    login(page, "qc@xinghe.example", "not-the-password")

    expect(page.get_by_role("alert")).to_have_text(ZH("login.failed"))
    assert page.url.endswith("/login")
    expect(page.locator("#email")).to_have_value("qc@xinghe.example")
    expect(nav(page)).to_have_count(0)


def test_unknown_account_gets_the_same_error(page: Any, login: Callable[..., None]) -> None:
    login(page, "nobody@nowhere.example", "whatever-password")

    expect(page.get_by_role("alert")).to_have_text(ZH("login.failed"))


def test_a_page_without_login_redirects_to_the_login_page(page: Any) -> None:
    for path in ("/", "/products", "/complaints"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/login$"))
        expect(page.locator("#password")).to_be_visible()


def test_language_switch_changes_navigation_and_back(page: Any, login: Callable[..., None]) -> None:
    login(page, "compliance@xinghe.example")
    links = nav(page)
    expect(links).to_contain_text(ZH("nav.compliance"))
    assert ZH("nav.compliance") != EN("nav.compliance")

    page.locator("a[hreflang='en']").click()
    expect(links).to_contain_text(EN("nav.compliance"))
    expect(links).to_contain_text(EN("nav.products"))
    expect(links).not_to_contain_text(ZH("nav.products"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text(EN("role.compliance_reviewer"))

    page.locator("a[hreflang='zh-CN']").click()
    expect(links).to_contain_text(ZH("nav.products"))
    expect(links).not_to_contain_text(EN("nav.products"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_language_choice_survives_logout_and_shows_on_login(
    page: Any, login: Callable[..., None]
) -> None:
    page.goto("/login")
    page.locator("a[hreflang='en']").click()
    expect(page.locator("h1")).to_have_text(EN("login.title"))

    login(page, "qc@qinghe.example")
    expect(nav(page)).to_contain_text(EN("nav.home"))


def test_organisation_switcher_moves_a_multi_org_user(
    page: Any, login: Callable[..., None]
) -> None:
    login(page, "admin@xinghe.example")
    main = page.locator("main")
    expect(main).to_contain_text("星河直播")
    switcher = page.locator("form.orgswitch")
    expect(switcher.locator("option")).to_have_count(2)

    switcher.locator("select").select_option(label="青禾优选")
    with page.expect_navigation():
        switcher.get_by_role("button").click()
    expect(main).to_contain_text("青禾优选")
    expect(switcher.locator("select")).to_have_value(
        switcher.locator("option", has_text="青禾优选").get_attribute("value") or ""
    )

    page.goto("/products")
    expect(switcher.locator("option:checked")).to_have_text("青禾优选")


def test_single_org_user_has_no_switcher(page: Any, login: Callable[..., None]) -> None:
    login(page, "qc@xinghe.example")

    expect(page.locator("form.orgswitch")).to_have_count(0)
    expect(page.locator("header")).to_contain_text("星河直播")


def test_logout_returns_to_login_and_closes_the_session(
    page: Any, login: Callable[..., None]
) -> None:
    login(page, "aftersales@xinghe.example")
    expect(page.locator("main")).to_contain_text("陈佳")

    with page.expect_navigation():
        page.locator("form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_console_runs_on_postgresql(pg_page: Any, login: Callable[..., None]) -> None:
    login(pg_page, "inspector@binjiang.example")

    main = pg_page.locator("main")
    expect(main).to_contain_text(NAMES["inspector@binjiang.example"])
    expect(main).to_contain_text("滨江区市场监管局")
    expect(main).to_contain_text(ZH("role.inspector"))
