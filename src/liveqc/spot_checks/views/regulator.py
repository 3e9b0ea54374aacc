"""Jurisdictions, regulator reads of covered organisations (audited, read-only) and the
access log an organisation reads to see who looked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from liveqc.accounts.models import OrganisationKind, Role
from liveqc.api.deps import MAX_ID, CurrentPrincipal, IdPath, PageDep, SessionDep
from liveqc.compliance.schemas import FindingPage, FindingRead
from liveqc.errors import PermissionDenied
from liveqc.live_sessions.schemas import LiveSessionPage, LiveSessionRead
from liveqc.products.models import ProductCategory
from liveqc.products.schemas import ProductPage, ProductRead
from liveqc.spot_checks import jurisdiction, risk, service
from liveqc.spot_checks.schemas import (
    AccessLogPage,
    AccessLogRead,
    ComplaintView,
    ComplaintViewPage,
    CoveredOrganisation,
    CoveredPage,
    JurisdictionCreate,
    JurisdictionPage,
    JurisdictionRead,
    RiskPage,
    RiskRead,
)
from liveqc.spot_checks.views.deps import Created, RegulatorReader

router = APIRouter(tags=["regulator access"])


@router.get("/jurisdictions", response_model=JurisdictionPage)
def list_jurisdictions(_: RegulatorReader, session: SessionDep, page: PageDep) -> JurisdictionPage:
    rows = jurisdiction.list_jurisdictions(session)
    chosen = rows[page.offset : page.offset + page.limit]
    return JurisdictionPage(
        items=[JurisdictionRead.model_validate(r) for r in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/jurisdictions", response_model=JurisdictionRead, **Created)
def add_jurisdiction(
    body: JurisdictionCreate, principal: CurrentPrincipal, session: SessionDep
) -> JurisdictionRead:
    jurisdiction.require_regulator(principal)
    principal.require(Role.ADMIN)
    row = jurisdiction.add_jurisdiction(
        session,
        regulator=principal.organisation,
        region_prefix=body.region,
        category=body.category,
        actor=principal.user,
    )
    return JurisdictionRead.model_validate(row)


@router.get("/jurisdictions/{jurisdiction_id}", response_model=JurisdictionRead)
def get_jurisdiction(
    jurisdiction_id: IdPath, _: RegulatorReader, session: SessionDep
) -> JurisdictionRead:
    return JurisdictionRead.model_validate(
        jurisdiction.get_jurisdiction_or_raise(session, jurisdiction_id)
    )


@router.delete("/jurisdictions/{jurisdiction_id}", status_code=204)
def remove_jurisdiction(
    jurisdiction_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    jurisdiction.require_regulator(principal)
    principal.require(Role.ADMIN)
    jurisdiction.remove_jurisdiction(session, jurisdiction_id=jurisdiction_id, actor=principal.user)
    return Response(status_code=204)


@router.get("/regulator/organisations", response_model=CoveredPage)
def covered_organisations(
    principal: RegulatorReader, session: SessionDep, page: PageDep
) -> CoveredPage:
    from liveqc.accounts.models import Organisation

    cover = jurisdiction.coverage(session, principal.organisation.id)
    ids = sorted(cover.organisations)
    chosen = ids[page.offset : page.offset + page.limit]
    items = []
    for org_id in chosen:
        org = session.get(Organisation, org_id)
        assert org is not None
        cats = cover.organisations[org_id]
        items.append(
            CoveredOrganisation(
                id=org.id,
                name=org.name,
                kind=org.kind.value,
                region=org.region,
                categories=sorted(cats) if cats is not None else None,
            )
        )
    return CoveredPage(items=items, total=len(ids), limit=page.limit, offset=page.offset)


@router.get("/regulator/products", response_model=ProductPage)
def regulator_products(
    request: Request,
    principal: RegulatorReader,
    session: SessionDep,
    page: PageDep,
    organisation_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    category: Annotated[ProductCategory | None, Query()] = None,
) -> ProductPage:
    """Products of the organisations under my jurisdiction (read-only; each read is logged)."""
    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        rows, total = scope.products(
            limit=page.limit, offset=page.offset, organisation_id=organisation_id, category=category
        )
        items = [ProductRead.model_validate(r) for r in rows]
    return ProductPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/regulator/products/{product_id}", response_model=ProductRead)
def regulator_product(
    product_id: IdPath, request: Request, principal: RegulatorReader, session: SessionDep
) -> ProductRead:
    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        return ProductRead.model_validate(scope.product(product_id))


def _read_only(product_id: IdPath, _: CurrentPrincipal) -> None:
    """Regulators read agencies' products; they never change them (403)."""
    raise PermissionDenied("regulator access to an organisation's products is read-only")


for _method in ("PUT", "PATCH", "DELETE"):
    router.add_api_route(
        "/regulator/products/{product_id}",
        _read_only,
        methods=[_method],
        operation_id=f"regulator_product_{_method.lower()}",
        status_code=403,
    )


_COMPLAINT_READERS = (OrganisationKind.REGULATOR, OrganisationKind.CONSUMER_ASSOCIATION)


@router.get("/regulator/complaints", response_model=ComplaintViewPage)
def regulator_complaints(
    request: Request, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> ComplaintViewPage:
    """Escalated complaints under my jurisdiction, and any escalated to my organisation."""
    with jurisdiction.regulator_scope(
        session, principal, path=request.url.path, kinds=_COMPLAINT_READERS
    ) as scope:
        rows, total = scope.complaints(limit=page.limit, offset=page.offset)
        items = [ComplaintView.model_validate(r) for r in rows]
    return ComplaintViewPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/regulator/complaints/{complaint_id}", response_model=ComplaintView)
def regulator_complaint(
    complaint_id: IdPath, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> ComplaintView:
    with jurisdiction.regulator_scope(
        session, principal, path=request.url.path, kinds=_COMPLAINT_READERS
    ) as scope:
        return ComplaintView.model_validate(scope.complaint(complaint_id))


@router.get("/regulator/live-sessions", response_model=LiveSessionPage)
def regulator_sessions(
    request: Request, principal: RegulatorReader, session: SessionDep, page: PageDep
) -> LiveSessionPage:
    """Live sessions of the organisations under my jurisdiction (read-only; logged)."""
    from liveqc.live_sessions.models import LiveSession

    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        rows, total = scope.rows(LiveSession, limit=page.limit, offset=page.offset)
        items = [LiveSessionRead.model_validate(r) for r in rows]
    return LiveSessionPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/regulator/live-sessions/{live_session_id}", response_model=LiveSessionRead)
def regulator_session(
    live_session_id: IdPath, request: Request, principal: RegulatorReader, session: SessionDep
) -> LiveSessionRead:
    from liveqc.live_sessions.models import LiveSession

    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        return LiveSessionRead.model_validate(scope.row(LiveSession, live_session_id))


@router.get("/regulator/findings", response_model=FindingPage)
def regulator_findings(
    request: Request, principal: RegulatorReader, session: SessionDep, page: PageDep
) -> FindingPage:
    """Compliance findings of the organisations under my jurisdiction (read-only; logged)."""
    from liveqc.compliance.models import Finding

    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        rows, total = scope.rows(Finding, limit=page.limit, offset=page.offset)
        items = [FindingRead.model_validate(r) for r in rows]
    return FindingPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/regulator/findings/{finding_id}", response_model=FindingRead)
def regulator_finding(
    finding_id: IdPath, request: Request, principal: RegulatorReader, session: SessionDep
) -> FindingRead:
    from liveqc.compliance.models import Finding

    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        return FindingRead.model_validate(scope.row(Finding, finding_id))


@router.get("/regulator/risk/{subject}", response_model=RiskPage)
def risk_ranking(
    subject: risk.Subject,
    request: Request,
    principal: RegulatorReader,
    session: SessionDep,
    page: PageDep,
) -> RiskPage:
    """Agencies, products, suppliers or hosts under my jurisdiction, highest risk first, each
    score with the inputs it is made of."""
    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        ranked = risk.scores(session, subject, sorted(scope.coverage.organisations))
        chosen = ranked[page.offset : page.offset + page.limit]
        for row in chosen:
            scope.log_ref(risk.TABLES[subject], row.id, owner_id=row.organisation_id, action="risk")
    items = [RiskRead.model_validate(risk.as_dict(row, subject)) for row in chosen]
    return RiskPage(items=items, total=len(ranked), limit=page.limit, offset=page.offset)


@router.get("/regulator/risk/{subject}/{subject_id}", response_model=RiskRead)
def risk_of(
    subject: risk.Subject,
    subject_id: IdPath,
    request: Request,
    principal: RegulatorReader,
    session: SessionDep,
) -> RiskRead:
    with jurisdiction.regulator_scope(session, principal, path=request.url.path) as scope:
        row = risk.find(risk.scores(session, subject, sorted(scope.coverage.organisations)),
                        subject, subject_id)  # fmt: skip
        scope.log_ref(risk.TABLES[subject], row.id, owner_id=row.organisation_id, action="risk")
    return RiskRead.model_validate(risk.as_dict(row, subject))


@router.get("/access-log", response_model=AccessLogPage)
def access_log(_: CurrentPrincipal, session: SessionDep, page: PageDep) -> AccessLogPage:
    """Who from a regulator read my organisation's records, newest first."""
    rows, total = service.list_access_log(session, limit=page.limit, offset=page.offset)
    return AccessLogPage(
        items=[AccessLogRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/access-log/{entry_id}", response_model=AccessLogRead)
def access_log_entry(entry_id: IdPath, _: CurrentPrincipal, session: SessionDep) -> AccessLogRead:
    return AccessLogRead.model_validate(service.get_access_log_or_raise(session, entry_id))
