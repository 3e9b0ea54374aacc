"""One way to render a console page: every domain's templates folder in front of the shared
layout, and the base context every page's layout needs (language, CSRF token, navigation,
the signed-in user's organisations). A domain adds only what its own pages need."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from liveqc.accounts import service as accounts
from liveqc.accounts.service import Principal
from liveqc.web.i18n import LOCALES, pick_locale, translator

#: The shared layout (``base.html``, tables, search box) every domain's pages extend.
SHARED_TEMPLATES = Path(__file__).parent / "templates"

#: ``extra(principal, t)``: a domain's own context entries that depend on who asks, or in
#: which language.
Extra = Callable[[Principal | None, Callable[..., str]], Mapping[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    path: str


#: Navigation, in order; the text of each entry is the catalogue key ``nav.<key>``.
SECTIONS = [
    Section("products", "/products"),
    Section("compliance", "/compliance"),
    Section("live_sessions", "/live-sessions"),
    Section("complaints", "/complaints"),
    Section("spot_checks", "/spot-checks"),
    Section("reports", "/reports"),
    Section("jobs", "/jobs"),
]


def csrf_token(request: Request) -> str:
    """The session's form token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def page_templates(here: Path) -> Jinja2Templates:
    """The templates of the package at ``here`` (its ``templates`` folder wins), then the
    shared layout; HTML is autoescaped."""
    folders = [here / "templates"]
    if folders[0].resolve() != SHARED_TEMPLATES.resolve():
        folders.append(SHARED_TEMPLATES)
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
        autoescape=select_autoescape(["html"]),
    )
    return Jinja2Templates(env=env)


@dataclass(frozen=True)
class PageRenderer:
    """Renders one domain's pages inside the console layout.

    Args:
        templates: from :func:`page_templates`.
        active: the navigation entry to highlight.
        flash: the session key of a one-shot message, shown once as ``flash``.
        prefix: put before every template name (a domain whose templates sit in a subfolder).
        context: fixed entries every page of the domain gets.
        extra: entries computed per page from the principal and the page's translator.

    A page's own keyword arguments override all of these.
    """

    templates: Jinja2Templates
    active: str | None = None
    flash: str | None = None
    prefix: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    extra: Extra | None = None

    def __call__(
        self,
        request: Request,
        template: str,
        principal: Principal | None = None,
        status: int = 200,
        *,
        locale: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page ``template`` for ``principal`` (``None`` on public pages), in ``locale``
        or else the session's language."""
        chosen = pick_locale(locale or request.session.get("locale"))
        t = translator(chosen)
        base: dict[str, Any] = {
            "t": t,
            "locale": chosen,
            "locales": LOCALES,
            "csrf": csrf_token(request),
            "principal": principal,
            "sections": SECTIONS,
            "organisations": accounts.organisations_of(principal.user) if principal else [],
        }
        if self.active is not None:
            base["active"] = self.active
        if self.flash is not None:
            base["flash"] = request.session.pop(self.flash, None)
        base.update(self.context)
        if self.extra is not None:
            base.update(self.extra(principal, t))
        base.update(context)
        return self.templates.TemplateResponse(
            request, self.prefix + template, base, status_code=status
        )
