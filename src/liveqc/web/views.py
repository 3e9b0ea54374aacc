"""The server-rendered console: login, layout and navigation, organisation switch (the home
page is the dashboards domain's).

Pages that other modules fill are registered as plain placeholders in ``SECTIONS``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from liveqc.accounts import service as accounts
from liveqc.accounts.models import User
from liveqc.accounts.security import constant_time_equals
from liveqc.accounts.service import Principal
from liveqc.api.deps import SessionDep
from liveqc.config import Settings
from liveqc.db import tenancy
from liveqc.errors import AuthenticationRequired, PermissionDenied
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import SECTIONS, PageRenderer, Section, page_templates

HERE = Path(__file__).parent
templates = page_templates(HERE)
render = PageRenderer(templates)
router = APIRouter(include_in_schema=False)
#: Plain "not built yet" pages for the sections; a module's own page comes first and wins.
placeholders = APIRouter(include_in_schema=False)


def check_csrf(request: Request, submitted: str) -> bool:
    expected = request.session.get("csrf")
    return bool(expected) and constant_time_equals(str(expected), submitted)


def console_principal(request: Request, session: SessionDep) -> Principal:
    """The signed-in console user in their chosen organisation, or a redirect to /login."""
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise StarletteHTTPException(303, "sign in first", headers={"Location": "/login"})
    try:
        principal = accounts.principal_for(user, request.session.get("org_id"))
    except PermissionDenied:
        principal = accounts.principal_for(user)
    request.session["org_id"] = principal.organisation.id
    tenancy.set_organisation(session, principal.organisation.id)
    return principal


ConsolePrincipal = Annotated[Principal, Depends(console_principal)]


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html")


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    t = translator(pick_locale(request.session.get("locale")))
    if not check_csrf(request, csrf):
        return render(request, "login.html", error=t("login.csrf"), email=email, status=400)
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.retry_after(email, address)
    if wait > 0:
        message = t("login.throttled", seconds=int(wait) + 1)
        return render(request, "login.html", error=message, email=email, status=429)
    try:
        user = accounts.authenticate(session, email=email, password=password)
        principal = accounts.principal_for(user)
    except (AuthenticationRequired, PermissionDenied):
        throttle.failed(email, address)
        return render(request, "login.html", error=t("login.failed"), email=email, status=401)
    throttle.succeeded(email)
    locale = request.session.get("locale")
    request.session.clear()
    request.session.update(
        user_id=user.id, org_id=principal.organisation.id, csrf=secrets.token_urlsafe(32)
    )
    if locale:
        request.session["locale"] = locale
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    if check_csrf(request, csrf):
        locale = request.session.get("locale")
        request.session.clear()
        if locale:
            request.session["locale"] = locale
    return RedirectResponse("/login", status_code=303)


@router.post("/org")
def switch_org(
    request: Request,
    principal: ConsolePrincipal,
    organisation_id: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Act in another of my organisations (refused for one I do not belong to)."""
    if not check_csrf(request, csrf):
        raise PermissionDenied("the form expired; reload the page and try again")
    accounts.principal_for(principal.user, organisation_id)
    request.session["org_id"] = organisation_id
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{locale}")
def switch_language(request: Request, locale: str) -> Response:
    request.session["locale"] = pick_locale(locale)
    referer = urlparse(request.headers.get("referer", ""))
    back = referer.path if referer.path.startswith("/") and not referer.netloc else "/"
    if referer.netloc and referer.netloc != request.url.netloc:
        back = "/"
    return RedirectResponse(back or "/", status_code=303)


def _placeholder(section: Section) -> Any:
    def page(request: Request, principal: ConsolePrincipal) -> HTMLResponse:
        return render(request, "placeholder.html", principal, active=section.key, section=section)

    page.__name__ = f"section_{section.key}"
    return page


for _section in SECTIONS:
    placeholders.add_api_route(_section.path, _placeholder(_section), methods=["GET"])


def mount_console(app: FastAPI, settings: Settings) -> None:
    """Serve the console pages and their static assets.

    Each ``liveqc.<domain>.pages`` module with an ``APIRouter`` named ``router`` adds its pages,
    ahead of the placeholders.
    """
    from liveqc.api.app import discover_routers

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    for pages in discover_routers("pages"):
        app.include_router(pages, include_in_schema=False)
    app.include_router(placeholders)
