"""Search API (thin: tenancy comes from the session, errors from the handlers)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from liveqc.api.deps import CurrentPrincipal, SessionDep
from liveqc.search import service
from liveqc.search.schemas import GroupRead, HitRead, SearchResults

router = APIRouter(tags=["search"])
Kind = Literal["products", "live_sessions", "complaints", "findings"]


@router.get("/search", response_model=SearchResults)
def search(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    kind: Kind | None = None,
    limit: Annotated[int, Query(ge=0, le=service.MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SearchResults:
    """Products, live sessions, complaints and findings of my organisation matching ``q``
    (a substring, at most 100 characters), grouped by kind with a count per kind."""
    groups = service.search(session, q=q, kind=kind, limit=limit, offset=offset, reader=principal)
    return SearchResults(
        q=q.strip(),
        kind=kind,
        total=sum(g.total for g in groups),
        groups=[
            GroupRead(kind=g.kind, total=g.total, items=[HitRead(**asdict(h)) for h in g.hits])
            for g in groups
        ],
    )
