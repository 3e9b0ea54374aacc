from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liveqc.web.views import SECTIONS


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = "demo-password"):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"email": email, "password": password, "csrf": token}, follow_redirects=False
    )


def test_pages_redirect_to_login_when_signed_out(client: TestClient, demo) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_login_page_is_chinese_by_default_and_switches_to_english(client: TestClient) -> None:
    page = client.get("/login")
    assert 'lang="zh-CN"' in page.text and "登录" in page.text
    english = client.get("/lang/en", headers={"referer": "http://testserver/login"})
    assert english.url.path == "/login"
    assert 'lang="en"' in english.text and "Sign in" in english.text and "登录" not in english.text


def test_sign_in_shows_user_organisation_and_role(client: TestClient, demo) -> None:
    response = sign_in(client, "qc@xinghe.example")
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = client.get("/")
    assert "qc@xinghe.example" in home.text and "星河直播" in home.text
    assert "品控审核员" in home.text
    for key in ("首页", "商品品控", "合规检测", "直播场次", "投诉售后", "抽检监管", "报告"):
        assert key in home.text


def test_wrong_password_and_missing_csrf_are_refused(client: TestClient, demo) -> None:
    assert sign_in(client, "qc@xinghe.example", "nope").status_code == 401
    forged = client.post(
        "/login", data={"email": "qc@xinghe.example", "password": "demo-password", "csrf": "x"}
    )
    assert forged.status_code == 400
    assert client.get("/", follow_redirects=False).status_code == 303


def test_console_login_is_rate_limited(client: TestClient, demo) -> None:
    for _ in range(5):
        sign_in(client, "admin@qinghe.example", "nope")
    assert sign_in(client, "admin@qinghe.example").status_code == 429


def test_placeholder_pages_say_so(client: TestClient, demo) -> None:
    from liveqc.api.app import discover_routers

    served = {getattr(r, "path", "") for pages in discover_routers("pages") for r in pages.routes}
    sign_in(client, "qc@xinghe.example")
    for section in SECTIONS:
        if section.path in served:  # the domain's own page replaced the placeholder
            continue
        page = client.get(section.path)
        assert page.status_code == 200 and "尚未实现" in page.text, section.path


def test_organisation_switcher(client: TestClient, demo, session_factory) -> None:
    from liveqc.accounts import service
    from liveqc.accounts.models import Role, User

    qinghe = demo.organisations["青禾优选"]
    with session_factory() as session, session.begin():
        user = session.get(User, demo.users["admin@xinghe.example"].id)
        service.add_membership(session, user=user, organisation=qinghe, role=Role.VIEWER)
    sign_in(client, "admin@xinghe.example")
    home = client.get("/")
    assert 'action="/org"' in home.text
    token = csrf_of(home.text)
    switched = client.post("/org", data={"organisation_id": qinghe.id, "csrf": token})
    assert switched.status_code == 200 and "只读用户" in switched.text
    foreign = demo.organisations["快购平台"].id
    refused = client.post("/org", data={"organisation_id": foreign, "csrf": token})
    assert refused.status_code == 403


def test_logout_needs_the_csrf_token(client: TestClient, demo) -> None:
    sign_in(client, "qc@xinghe.example")
    client.post("/logout", data={"csrf": "wrong"})
    assert client.get("/", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_assets_are_served_locally(client: TestClient) -> None:
    page = client.get("/login").text
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    css = client.get("/static/console.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert "<script" not in page
