"""Audit events API: my organisation's trail, newest first."""

from __future__ import annotations

from fastapi import APIRouter

from liveqc.api.deps import CurrentPrincipal, IdPath, PageDep, SessionDep
from liveqc.events import service
from liveqc.events.schemas import AuditEventPage, AuditEventRead

router = APIRouter(tags=["audit"])


@router.get("/audit-events", response_model=AuditEventPage)
def list_events(_: CurrentPrincipal, session: SessionDep, page: PageDep) -> AuditEventPage:
    rows, total = service.list_(session, limit=page.limit, offset=page.offset)
    return AuditEventPage(
        items=[AuditEventRead.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/audit-events/{event_id}", response_model=AuditEventRead)
def get_event(event_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> AuditEventRead:
    return AuditEventRead.model_validate(service.get_or_raise(session, event_id))
