from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from jinja2 import ChoiceLoader
from starlette.middleware.sessions import SessionMiddleware

from liveqc.accounts.service import Principal
from liveqc.web.rendering import SHARED_TEMPLATES, PageRenderer, page_templates

PAGE = (
    "active={{ active }};flash={{ flash }};locale={{ locale }};x={{ x }};"
    "hello={{ hello }};who={{ who }};csrf={{ csrf|length > 20 }};orgs={{ organisations }}"
)


def domain(tmp_path: Path) -> Path:
    (tmp_path / "templates" / "sub").mkdir(parents=True)
    (tmp_path / "templates" / "sub" / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "templates" / "login.html").write_text("mine", encoding="utf-8")
    return tmp_path


def greeting(principal: Principal | None, t: Callable[..., str]) -> dict[str, Any]:
    return {"hello": t("login.submit"), "who": "anyone" if principal is None else "someone"}


def client_for(render: PageRenderer) -> TestClient:
    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key="x" * 32)

    @app.get("/flash")
    def set_flash(request: Request) -> dict[str, str]:
        request.session["demo_flash"] = "saved"
        return {}

    @app.get("/page")
    def page(request: Request, lang: str | None = None, x: str = "") -> HTMLResponse:
        response: HTMLResponse = render(request, "page.html", None, 201, locale=lang, x=x)
        return response

    return TestClient(app)


def test_domain_templates_come_first_then_the_shared_layout(tmp_path: Path) -> None:
    templates = page_templates(domain(tmp_path))
    assert templates.get_template("login.html").render() == "mine"
    base = templates.get_template("base.html").filename
    assert base is not None and Path(base).parent == SHARED_TEMPLATES


def test_the_shared_folder_is_not_searched_twice() -> None:
    loader = page_templates(SHARED_TEMPLATES.parent).env.loader
    assert isinstance(loader, ChoiceLoader) and len(loader.loaders) == 1


def test_page_gets_base_context_domain_context_and_its_own_values(tmp_path: Path) -> None:
    render = PageRenderer(
        page_templates(domain(tmp_path)),
        active="demo",
        flash="demo_flash",
        prefix="sub/",
        extra=greeting,
    )
    client = client_for(render)
    client.get("/flash")
    first = client.get("/page", params={"x": "<b>"})
    assert first.status_code == 201
    assert "active=demo;flash=saved;locale=zh-CN;x=&lt;b&gt;;" in first.text
    assert "who=anyone;csrf=True;orgs=[]" in first.text
    again = client.get("/page", params={"lang": "en"})
    assert "flash=None;locale=en;" in again.text  # the message is shown once
    assert "hello=Sign in;" in again.text  # extra sees the page's language


def test_fixed_context_is_overridden_by_the_page(tmp_path: Path) -> None:
    render = PageRenderer(page_templates(domain(tmp_path)), prefix="sub/", context={"x": "fixed"})
    client = client_for(render)
    assert "x=mine;" in client.get("/page", params={"x": "mine"}).text
    assert "active=;" in client.get("/page").text  # no navigation entry unless asked
