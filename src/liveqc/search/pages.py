"""Console search page: results of every kind grouped with counts, or one kind paged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liveqc.api.deps import SessionDep
from liveqc.search import service
from liveqc.web.i18n import pick_locale, translator
from liveqc.web.rendering import PageRenderer, page_templates
from liveqc.web.views import ConsolePrincipal

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
#: Hits per kind on the overview; one kind alone shows this many per page.
PREVIEW, PER_PAGE = 5, 20


render = PageRenderer(page_templates(HERE), active="search", context={"kinds": service.KINDS})
RESULTS = "search_results.html"


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
        return render(request, RESULTS, principal, q="", kind=chosen, error=t("search.empty"))
    if len(text) > service.MAX_QUERY:
        error = t("search.too_long", max=service.MAX_QUERY)
        return render(
            request, RESULTS, principal, 400, q=text[: service.MAX_QUERY], kind=chosen, error=error
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
    paging: dict[str, Any] = {
        "page": page,
        "pages": max(1, -(-groups[0].total // PER_PAGE)) if chosen else 1,
    }
    total = sum(g.total for g in groups)
    return render(
        request, RESULTS, principal, q=text, kind=chosen, groups=groups, total=total, **paging
    )
