"""Publications (drafts, publishing, corrections) and the public feed, which needs no login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from liveqc.api.deps import IdPath, PageDep, SessionDep
from liveqc.spot_checks import disclosure, service
from liveqc.spot_checks.models import PublicationKind, PublicationStatus
from liveqc.spot_checks.schemas import (
    CorrectionIn,
    PublicationCreate,
    PublicationPage,
    PublicationRead,
    PublicationUpdate,
    PublicEntry,
    PublicPage,
)
from liveqc.spot_checks.views.deps import Created, Regulator, RegulatorReader

router = APIRouter(tags=["public disclosure"])


@router.get("/publications", response_model=PublicationPage)
def list_publications(
    _: RegulatorReader,
    session: SessionDep,
    page: PageDep,
    status: Annotated[PublicationStatus | None, Query()] = None,
) -> PublicationPage:
    rows, total = service.list_publications(
        session, limit=page.limit, offset=page.offset, status=status
    )
    return PublicationPage(
        items=[PublicationRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/publications", response_model=PublicationRead, **Created)
def create_publication(
    body: PublicationCreate, principal: Regulator, session: SessionDep
) -> PublicationRead:
    return PublicationRead.model_validate(
        disclosure.create_draft(session, data=body, principal=principal)
    )


@router.get("/publications/{publication_id}", response_model=PublicationRead)
def get_publication(
    publication_id: IdPath, _: RegulatorReader, session: SessionDep
) -> PublicationRead:
    return PublicationRead.model_validate(service.get_publication_or_raise(session, publication_id))


@router.patch("/publications/{publication_id}", response_model=PublicationRead)
def update_publication(
    publication_id: IdPath, body: PublicationUpdate, principal: Regulator, session: SessionDep
) -> PublicationRead:
    """Edit a draft; a published row is refused with 409 (publish a correction instead)."""
    row = service.get_publication_or_raise(session, publication_id)
    return PublicationRead.model_validate(
        disclosure.update_draft(session, row=row, data=body, actor=principal.user)
    )


@router.delete("/publications/{publication_id}", status_code=204)
def delete_publication(
    publication_id: IdPath, principal: Regulator, session: SessionDep
) -> Response:
    row = service.get_publication_or_raise(session, publication_id)
    disclosure.delete_draft(session, row=row, actor=principal.user)
    return Response(status_code=204)


@router.post("/publications/{publication_id}/publish", response_model=PublicationRead)
def publish(publication_id: IdPath, principal: Regulator, session: SessionDep) -> PublicationRead:
    row = service.get_publication_or_raise(session, publication_id)
    return PublicationRead.model_validate(
        disclosure.publish(session, row=row, actor=principal.user)
    )


@router.post(
    "/publications/{publication_id}/corrections", response_model=PublicationRead, **Created
)
def correct(
    publication_id: IdPath, body: CorrectionIn, principal: Regulator, session: SessionDep
) -> PublicationRead:
    """Publish a correction: a new row linked to the published one it corrects."""
    row = service.get_publication_or_raise(session, publication_id)
    return PublicationRead.model_validate(
        disclosure.correct(session, row=row, data=body, actor=principal.user)
    )


# -- public, no login ------------------------------------------------------------------------


@router.get("/public/spot-checks", response_model=PublicPage)
def public_list(
    session: SessionDep, page: PageDep, kind: Annotated[PublicationKind | None, Query()] = None
) -> PublicPage:
    """Published spot-check results and notices of every regulator, newest first."""
    rows, total = disclosure.list_public(session, limit=page.limit, offset=page.offset, kind=kind)
    return PublicPage(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get("/public/spot-checks/{publication_id}", response_model=PublicEntry)
def public_entry(publication_id: IdPath, session: SessionDep) -> PublicEntry:
    return disclosure.get_public(session, publication_id)
