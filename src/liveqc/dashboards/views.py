"""API: the home page's figures as JSON, for scripts and wall displays."""

from __future__ import annotations

from fastapi import APIRouter

from liveqc.api.deps import CurrentPrincipal, SessionDep
from liveqc.dashboards import service
from liveqc.dashboards.schemas import HomeRead

router = APIRouter(prefix="/dashboards", tags=["dashboards"])


@router.get("/home", response_model=HomeRead)
def home(principal: CurrentPrincipal, session: SessionDep) -> HomeRead:
    """The panels of my roles in the current organisation (``X-Liveqc-Org`` picks another)."""
    return HomeRead.model_validate(service.home(session, principal=principal))
