"""Console search page: results of every kind grouped with counts, or one kind paged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from liveqc.accounts import service as accounts
from liveqc.accounts.service import Principal
from liveqc.api.deps import SessionDep
from liveqc.search import service
from liveqc.web.i18n import LOCALES, pick_locale, translator
from liveqc.web.views import HERE as WEB_DIR
from liveqc.web.views import SECTIONS, ConsolePrincipal, csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(HERE / "templates"), FileSystemLoader(WEB_DIR / "templates")]
        ),
        autoescape=select_autoescape(["html"]),
    )
)
router = APIRouter(include_in_schema=False)
#: Hits per kind on the overview; one kind alone shows this many per page.
PREVIEW, PER_PAGE = 5, 20


def render(
    request: Request, principal: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    locale = pick_locale(request.session.get("locale"))
    return templates.TemplateResponse(
        request,
        "search_results.html",
        {
            "t": translator(locale),
            "locale": locale,
            "locales": LOCALES,
            "csrf": csrf_token(request),
            "principal": principal,
            "sections": SECTIONS,
            "organisations": accounts.organisations_of(principal.user),
            "active": "search",
            "kinds": service.KINDS,
            **context,
        },
        status_code=status,
    )


@router.get("/search")
def search_page(
    request: Request,
    principal: ConsolePrincipal,
    session: SessionDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    t = translator(pick_locale(request.session.get("locale")))
    chosen = kind if kind in service.KINDS else ""
    text = q.strip()
    if not text:
        return render(request, principal, q="", kind=chosen, error=t("search.empty"))
    if len(text) > service.MAX_QUERY:
        error = t("search.too_long", max=service.MAX_QUERY)
        return render(
            request, principal, 400, q=text[: service.MAX_QUERY], kind=chosen, error=error
        )
    limit = PER_PAGE if chosen else PREVIEW
    groups = service.search(
        session,
        q=text,
        kind=chosen or None,
        limit=limit,
        offset=(page - 1) * limit,
        reader=principal,
    )
    total = sum(g.total for g in groups)
    pages = max(1, -(-groups[0].total // PER_PAGE)) if chosen else 1
    return render(
        request, principal, q=text, kind=chosen, groups=groups, total=total, page=page, pages=pages
    )
